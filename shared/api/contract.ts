import type * as z from "zod/mini";

/**
 * One HTTP operation as the API documents it. Handlers parse their input with the same schemas,
 * and the OpenAPI document (`/openapi.json`) is generated from these entries, so the two cannot
 * drift apart.
 */
export interface ApiOperation {
  readonly method: "GET" | "POST" | "PUT" | "PATCH" | "DELETE";
  /** API Gateway path syntax, as in the route catalog. */
  readonly path: string;
  readonly summary: string;
  readonly description?: string;
  readonly tag: string;
  readonly security: "none" | "customer" | "admin" | "webhook";
  /** Each path parameter's schema (its `description` documents it); handlers parse with the same. */
  readonly pathParameters?: Readonly<Record<string, z.ZodMiniType>>;
  readonly query?: z.ZodMiniObject;
  readonly headers?: Readonly<Record<string, { description: string; required: boolean }>>;
  readonly body?: z.ZodMiniType;
  /** Successful answers by status; problems are documented from `problems`. */
  readonly responses: Readonly<Record<number, { description: string; schema?: z.ZodMiniType }>>;
  /** Problem codes this operation can answer with, by status. */
  readonly problems?: Readonly<Record<number, readonly string[]>>;
}
