import type { TaskHandler } from "./definition";

/**
 * Calling a local handler the way Step Functions calls a Lambda function: the event and the result
 * cross a JSON boundary, and a thrown error becomes the function error Lambda reports.
 */

/** What the Node.js Lambda runtime reports for an uncaught error; Step Functions puts it in `Cause`. */
export interface LambdaErrorPayload {
  errorType: string;
  errorMessage: string;
  trace: string[];
}

/**
 * The error the interpreter sees. Its `name` is what `Retry`/`Catch` `ErrorEquals` match (Lambda's
 * `errorType`) and its message is the JSON `Cause`, since the interpreter uses the message as Cause.
 */
export class TaskFailed extends Error {
  constructor(errorType: string, cause: string) {
    super(cause);
    this.name = errorType;
  }
}

export function lambdaErrorPayload(error: unknown): LambdaErrorPayload {
  if (error instanceof Error) {
    return { errorType: error.name, errorMessage: error.message, trace: error.stack?.split("\n") ?? [] };
  }
  return { errorType: typeof error, errorMessage: String(error), trace: [] };
}

function toJson(value: unknown): unknown {
  // Lambda answers `null` for a handler that returns nothing.
  const text = JSON.stringify(value ?? null);
  return JSON.parse(text);
}

/** Runs a handler as a Lambda invocation; throws `TaskFailed` for a function error. */
export async function invokeAsLambda(handler: TaskHandler, event: unknown): Promise<unknown> {
  let result: unknown;
  try {
    result = await handler(toJson(event));
  } catch (error) {
    const payload = lambdaErrorPayload(error);
    throw new TaskFailed(payload.errorType, JSON.stringify(payload));
  }
  try {
    return toJson(result);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const payload = { errorType: "Runtime.MarshalError", errorMessage: message, trace: [] };
    throw new TaskFailed(payload.errorType, JSON.stringify(payload));
  }
}
