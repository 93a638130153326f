import type { APIGatewayProxyStructuredResultV2 } from "aws-lambda";
import * as zc from "zod/v4/core";
import { InvalidRequest, LoyaltyError } from "../errors";
import "../schema-messages";

/** RFC 9457 problem details, with a stable `code` for programs. */
export interface Problem {
  [extension: string]: string | number | boolean | undefined;
  type: string;
  title: string;
  status: number;
  detail: string;
  code: string;
  instance?: string;
}

const PROBLEM_CONTENT_TYPE = "application/problem+json";

export function problemFor(error: unknown, requestId?: string): Problem {
  if (error instanceof zc.$ZodError) return problemFor(invalidRequestFrom(error), requestId);
  if (error instanceof LoyaltyError) {
    return {
      ...error.extensions,
      type: `/problems/${error.code}`,
      title: error.title,
      status: error.status,
      detail: error.message,
      code: error.code,
      ...(requestId ? { instance: `urn:request:${requestId}` } : {}),
    };
  }
  // Anything else is our fault: say so without leaking internals.
  return {
    type: "/problems/internal_error",
    title: "Internal error",
    status: 500,
    detail: `Something went wrong on our side. Quote ${requestId ?? "the time of the request"} if you contact us.`,
    code: "internal_error",
    ...(requestId ? { instance: `urn:request:${requestId}` } : {}),
  };
}

export function problemResponse(error: unknown, requestId?: string): APIGatewayProxyStructuredResultV2 {
  const problem = problemFor(error, requestId);
  const headers: Record<string, string> = { "content-type": PROBLEM_CONTENT_TYPE };
  if (error instanceof LoyaltyError && error.retryAfterSeconds !== undefined) {
    headers["retry-after"] = String(error.retryAfterSeconds);
  }
  return { statusCode: problem.status, headers, body: JSON.stringify(problem) };
}

/** Turns zod issues into one readable sentence naming each wrong field. */
export function invalidRequestFrom(error: zc.$ZodError, code = "invalid_request"): InvalidRequest {
  const detail = error.issues
    .map((issue) => {
      // A record's refused key says why only in its nested issues ("Invalid key in record" alone).
      const message =
        issue.code === "invalid_key"
          ? issue.issues.map((nested) => nested.message).join(", ")
          : issue.message;
      return issue.path.length > 0 ? `${issue.path.join(".")}: ${message}` : message;
    })
    .join("; ");
  return new InvalidRequest(code, detail);
}
