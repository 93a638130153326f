import middy from "@middy/core";
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from "aws-lambda";
import type * as z from "zod/mini";
import { InvalidRequest, LoyaltyError } from "../errors";
import { logger, metrics } from "../observability";
import { invalidRequestFrom, problemResponse } from "./problem";

export type ApiEvent = APIGatewayProxyEventV2 & {
  requestContext: APIGatewayProxyEventV2["requestContext"] & {
    authorizer?: {
      jwt?: { claims: Record<string, string | number | boolean | string[]>; scopes?: string[] };
    };
  };
};
export type ApiResult = APIGatewayProxyStructuredResultV2;
export type ApiHandler = (event: ApiEvent, context: Context) => Promise<ApiResult>;

/**
 * Wraps a route handler: correlation id in every log line, problem+json for every error
 * (4xx with the domain's detail, 5xx without internals), metrics flushed once per invocation.
 */
export function httpApi(handler: ApiHandler) {
  return middy<ApiEvent, ApiResult>({ timeoutEarlyInMillis: 0 })
    .use({
      before: (request) => {
        logger.addContext(request.context);
        logger.appendKeys({
          correlationId: request.event.requestContext?.requestId,
          route: request.event.routeKey,
        });
      },
      after: () => {
        logger.resetKeys();
        if (metrics.hasStoredMetrics()) metrics.publishStoredMetrics();
      },
      onError: (request) => {
        const error = request.error;
        const requestId = request.event.requestContext?.requestId;
        if (error instanceof LoyaltyError) {
          // An expected outcome (a refusal, a dependency down): its code says it all, no stack.
          const log = error.status < 500 ? logger.info : logger.warn;
          log.call(logger, "request refused", {
            code: error.code,
            status: error.status,
            detail: error.message,
          });
        } else {
          logger.error("request failed", { error: error ?? undefined });
        }
        if (metrics.hasStoredMetrics()) metrics.publishStoredMetrics();
        logger.resetKeys();
        request.response = problemResponse(error, requestId);
      },
    })
    .handler(handler);
}

export function json(statusCode: number, body: unknown, headers: Record<string, string> = {}): ApiResult {
  return {
    statusCode,
    headers: { "content-type": "application/json; charset=utf-8", "cache-control": "no-store", ...headers },
    body: JSON.stringify(body),
  };
}

/**
 * `__proto__` is a key JSON allows and JavaScript objects do not keep: a schema would drop it
 * silently, so a body naming it is refused, wherever it appears.
 */
function refuseProtoKeys(key: string, value: unknown): unknown {
  if (key === "__proto__") {
    throw new InvalidRequest("invalid_request", '"__proto__" is not accepted as a field or attribute name');
  }
  return value;
}

/** The largest JSON request body a route reads: far above any real request, far below Lambda's 6 MB. */
export const maxJsonBodyBytes = 64 * 1024;

/** Parses a JSON request body with a schema; a missing, malformed or wrong body is a 400 naming the
 * problem; a body not declared as JSON is a 415, one above the bound a 413. */
export function parseBody<S extends z.ZodMiniType>(
  event: ApiEvent,
  schema: S,
  code = "invalid_request",
): z.infer<S> {
  if (!event.body) throw new InvalidRequest(code, "The request needs a JSON body");
  const mediaType = header(event, "content-type")?.split(";")[0]?.trim().toLowerCase();
  if (mediaType !== "application/json") {
    throw new InvalidRequest(
      "unsupported_media_type",
      "Send the body as JSON with Content-Type: application/json",
      415,
    );
  }
  const bytes = event.isBase64Encoded ? Buffer.from(event.body, "base64") : Buffer.from(event.body, "utf8");
  if (bytes.length > maxJsonBodyBytes) {
    throw new InvalidRequest(
      "payload_too_large",
      `The body has ${bytes.length} bytes; at most ${maxJsonBodyBytes} are accepted`,
      413,
    );
  }
  const text = bytes.toString("utf8");
  let value: unknown;
  try {
    value = JSON.parse(text, refuseProtoKeys);
  } catch (error) {
    if (error instanceof InvalidRequest) throw error;
    throw new InvalidRequest("invalid_json", "The request body is not valid JSON");
  }
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw invalidRequestFrom(parsed.error, code);
  return parsed.data;
}

/**
 * A path parameter parsed with its schema. API Gateway has decoded it once; decoding again would
 * misread a literal `%`. A missing or malformed one is a 400 naming the parameter, before anything
 * is read or written.
 */
export function pathParameter<T>(
  event: ApiEvent,
  name: string,
  schema: z.ZodMiniType<T>,
  code = "invalid_request",
): T {
  const parsed = schema.safeParse(event.pathParameters?.[name] ?? "");
  if (!parsed.success) {
    const reason = parsed.error.issues.map((issue) => issue.message).join("; ");
    throw new InvalidRequest(code, `${name} in the path: ${reason}`);
  }
  return parsed.data;
}

/** Lower-cased header lookup (API Gateway v2 already lower-cases, the local gateway too). */
export function header(event: ApiEvent, name: string): string | undefined {
  return event.headers?.[name.toLowerCase()];
}
