import middy from "@middy/core";
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from "aws-lambda";
import type { z } from "zod";
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

/** Parses a JSON request body with a schema; a missing, malformed or wrong body is a 400 naming the problem. */
export function parseBody<S extends z.ZodType>(
  event: ApiEvent,
  schema: S,
  code = "invalid_request",
): z.infer<S> {
  if (!event.body) throw new InvalidRequest(code, "The request needs a JSON body");
  const text = event.isBase64Encoded ? Buffer.from(event.body, "base64").toString("utf8") : event.body;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new InvalidRequest("invalid_json", "The request body is not valid JSON");
  }
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw invalidRequestFrom(parsed.error, code);
  return parsed.data;
}

/** Lower-cased header lookup (API Gateway v2 already lower-cases, the local gateway too). */
export function header(event: ApiEvent, name: string): string | undefined {
  return event.headers?.[name.toLowerCase()];
}
