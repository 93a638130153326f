import * as z from "zod/mini";
import type { ApiOperation } from "./contract";

/** The RFC 9457 problem body every error answer carries. */
const problemSchema = z.object({
  type: z.string(),
  title: z.string(),
  status: z.number().check(z.int()),
  detail: z.string(),
  code: z.string(),
  instance: z.optional(z.string()),
});

type JsonSchema = Record<string, unknown>;

const jsonSchemaOf = (schema: z.ZodMiniType, io: "input" | "output"): JsonSchema => {
  const { $schema: _dialect, ...rest } = z.toJSONSchema(schema, { io, unrepresentable: "any" }) as JsonSchema;
  return rest;
};

const securitySchemes = {
  customerSessionToken: {
    type: "http",
    scheme: "bearer",
    bearerFormat: "JWT",
    description:
      "Shopify customer-account session token (shopify.sessionToken.get()), HS256 with the app secret",
  },
  appProxySignature: {
    type: "apiKey",
    in: "query",
    name: "signature",
    description:
      "Shopify App Proxy signed query (logged_in_customer_id, shop, path_prefix, timestamp, signature)",
  },
  adminJwt: {
    type: "openIdConnect",
    openIdConnectUrl:
      "https://cognito-idp.{region}.amazonaws.com/{userPoolId}/.well-known/openid-configuration",
    description: "Admin console token; groups loyalty-viewer (read) and loyalty-admin (change)",
  },
  shopifyWebhookHmac: {
    type: "apiKey",
    in: "header",
    name: "X-Shopify-Hmac-Sha256",
    description: "Base64 HMAC-SHA256 of the raw body with the app secret",
  },
} as const;

const securityFor = (operation: ApiOperation) => {
  switch (operation.security) {
    case "none":
      return [];
    case "customer":
      return [{ customerSessionToken: [] }, { appProxySignature: [] }];
    case "admin":
      return [{ adminJwt: [] }];
    case "webhook":
      return [{ shopifyWebhookHmac: [] }];
  }
};

function operationObject(operation: ApiOperation) {
  const parameters: JsonSchema[] = [];
  for (const [name, schema] of Object.entries(operation.pathParameters ?? {})) {
    const { description, ...parameterSchema } = jsonSchemaOf(schema, "input");
    parameters.push({ name, in: "path", required: true, description, schema: parameterSchema });
  }
  if (operation.query) {
    const shape = operation.query.shape as Record<string, z.ZodMiniType>;
    for (const [name, schema] of Object.entries(shape)) {
      parameters.push({
        name,
        in: "query",
        required: !schema.safeParse(undefined).success,
        schema: jsonSchemaOf(schema, "input"),
      });
    }
  }
  for (const [name, header] of Object.entries(operation.headers ?? {})) {
    parameters.push({
      name,
      in: "header",
      required: header.required,
      description: header.description,
      schema: { type: "string" },
    });
  }
  const responses: Record<string, JsonSchema> = {};
  for (const [status, response] of Object.entries(operation.responses)) {
    responses[status] = {
      description: response.description,
      ...(response.schema
        ? { content: { "application/json": { schema: jsonSchemaOf(response.schema, "output") } } }
        : {}),
    };
  }
  // Every JSON body is read by the same parser, which answers these two (`shared/http/api.ts`).
  const bodyProblems = operation.body ? { 413: ["payload_too_large"], 415: ["unsupported_media_type"] } : {};
  for (const [status, codes] of Object.entries({ ...operation.problems, ...bodyProblems })) {
    responses[status] = {
      description: `Problem: ${codes.join(", ")}`,
      content: { "application/problem+json": { schema: { $ref: "#/components/schemas/Problem" } } },
    };
  }
  return {
    summary: operation.summary,
    ...(operation.description ? { description: operation.description } : {}),
    tags: [operation.tag],
    operationId: `${operation.method.toLowerCase()}${operation.path.replace(/[{}]/g, "").replace(/\/(\w)/g, (_m, c: string) => c.toUpperCase())}`,
    security: securityFor(operation),
    ...(parameters.length > 0 ? { parameters } : {}),
    ...(operation.body
      ? {
          requestBody: {
            required: true,
            content: { "application/json": { schema: jsonSchemaOf(operation.body, "input") } },
          },
        }
      : {}),
    responses,
  };
}

/** The OpenAPI 3.1 document of the given operations. */
export function openApiDocument(
  operations: readonly ApiOperation[],
  info: { title: string; version: string },
) {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const operation of operations) {
    paths[operation.path] ??= {};
    const item = paths[operation.path];
    if (item) item[operation.method.toLowerCase()] = operationObject(operation);
  }
  return {
    openapi: "3.1.0",
    info: {
      ...info,
      description: "Store (POS) points online and their conversion into Shopify discount codes",
    },
    jsonSchemaDialect: "https://json-schema.org/draft/2020-12/schema",
    paths,
    components: { schemas: { Problem: jsonSchemaOf(problemSchema, "output") }, securitySchemes },
  };
}
