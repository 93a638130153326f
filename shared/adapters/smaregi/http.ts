import type * as z from "zod/mini";
import { PosTimeout, PosUnavailable } from "../../errors";
import type { HttpAnswer, HttpRequestInit, HttpTransport } from "../http-transport";
import { problemSchema } from "./schemas";

/**
 * Transport rules shared by the Smaregi token and API calls: which failures are transient, and the
 * retry loop for reads. Writes never go through the retry loop.
 */

export type TransientKind = "timeout" | "network" | "throttled" | "server-error";

/** A read failure that another attempt may fix. Never escapes the client. */
export class TransientPosFailure extends Error {
  constructor(
    readonly kind: TransientKind,
    message: string,
    options: { cause?: unknown; retryAfterMs?: number } = {},
  ) {
    super(message, { cause: options.cause });
    this.name = "TransientPosFailure";
    this.retryAfterMs = options.retryAfterMs;
  }
  readonly retryAfterMs: number | undefined;
}

/** A timeout rejects with a TimeoutError; an abort for any other reason counts the same. */
export function isTimeout(error: unknown): boolean {
  return error instanceof Error && (error.name === "TimeoutError" || error.name === "AbortError");
}

/** Socket error codes that mean no byte of the request reached the server. */
const neverSentCodes = new Set(["ECONNREFUSED", "ENOTFOUND", "EAI_AGAIN", "UND_ERR_CONNECT_TIMEOUT"]);

/** True when a request failed before it could have reached Smaregi (refused, DNS). */
export function wasNeverSent(error: unknown): boolean {
  const codes: string[] = [];
  const collect = (value: unknown, depth: number) => {
    if (depth > 4 || typeof value !== "object" || value === null) return;
    if ("code" in value && typeof value.code === "string") codes.push(value.code);
    if (value instanceof AggregateError) for (const inner of value.errors) collect(inner, depth + 1);
    if ("cause" in value) collect(value.cause, depth + 1);
  };
  collect(error, 0);
  return codes.length > 0 && codes.every((code) => neverSentCodes.has(code));
}

/** `Retry-After` as milliseconds: delta-seconds or an HTTP date. */
export function retryAfterMs(header: string | null, now = Date.now()): number | undefined {
  if (header === null) return undefined;
  if (/^\d+$/.test(header.trim())) return Number(header.trim()) * 1000;
  const at = Date.parse(header);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

/** The `detail` (or `title`) of a problem body, best-effort: error bodies are not trusted. */
export async function readProblemDetail(response: HttpAnswer): Promise<string | undefined> {
  try {
    const parsed = problemSchema.safeParse(JSON.parse(await response.text()));
    return parsed.success ? (parsed.data.detail ?? parsed.data.title) : undefined;
  } catch {
    return undefined;
  }
}

/** Parses a JSON body with a zod schema; a body that is not JSON fails like a schema mismatch. */
export function parseJsonBody<T extends z.ZodMiniType>(
  text: string,
  schema: T,
): { success: true; data: z.output<T> } | { success: false; error: unknown } {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    return { success: false, error };
  }
  const parsed = schema.safeParse(json);
  return parsed.success ? { success: true, data: parsed.data } : { success: false, error: parsed.error };
}

/**
 * Sends a request and turns its failures into transient ones: the request may be retried because it
 * only reads.
 */
export async function fetchForRead(
  send: HttpTransport,
  url: string,
  init: HttpRequestInit,
  what: string,
): Promise<HttpAnswer> {
  try {
    return await send(url, init);
  } catch (error) {
    throw isTimeout(error)
      ? new TransientPosFailure("timeout", `Smaregi did not answer ${what} in time`, { cause: error })
      : new TransientPosFailure("network", `Smaregi could not be reached for ${what}`, { cause: error });
  }
}

/** Reads a body under the request's signal; a stall or a cut connection is transient. */
export async function readBodyForRead(response: HttpAnswer, what: string): Promise<string> {
  try {
    return await response.text();
  } catch (error) {
    throw new TransientPosFailure(
      isTimeout(error) ? "timeout" : "network",
      `Smaregi's answer to ${what} broke off`,
      {
        cause: error,
      },
    );
  }
}

export interface ReadRetryPolicy {
  /** Per-attempt timeout. */
  attemptTimeoutMs: number;
  /** All attempts and pauses together stay within this. */
  budgetMs: number;
  maxRetries: number;
  baseDelayMs: number;
  /** A longer Retry-After is not waited for: the read fails at once as unavailable. */
  maxRetryAfterMs: number;
  random: () => number;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Runs `run` with a signal that aborts with a `TimeoutError` after `ms`, as `AbortSignal.timeout`'s
 * does, and clears the timer once `run` settles: `AbortSignal.timeout` makes a transferable signal
 * (costly to create on Node 20) whose timer keeps it alive, listeners included, for the whole
 * timeout after the answer has long arrived. `run` must have read the body before it settles.
 */
export async function withTimeout<T>(ms: number, run: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const controller = new AbortController();
  const timer = setTimeout(
    () => controller.abort(new DOMException("The operation was aborted due to timeout", "TimeoutError")),
    ms,
  );
  try {
    return await run(controller.signal);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Runs a read, retrying transient failures with jittered exponential backoff (or Retry-After).
 * A timeout that survives the retries is `PosTimeout`; any other transient failure `PosUnavailable`.
 * Errors that are not transient (already typed) pass through untouched.
 */
export async function withReadRetries<T>(
  policy: ReadRetryPolicy,
  attempt: (timeoutMs: number) => Promise<T>,
): Promise<T> {
  const startedAt = performance.now();
  const remaining = () => policy.budgetMs - (performance.now() - startedAt);
  for (let retries = 0; ; retries += 1) {
    try {
      // Timers take whole milliseconds only.
      return await attempt(Math.max(1, Math.floor(Math.min(policy.attemptTimeoutMs, remaining()))));
    } catch (error) {
      if (!(error instanceof TransientPosFailure)) throw error;
      const backoff = policy.baseDelayMs * 2 ** retries * (0.5 + policy.random() / 2);
      const delay = error.retryAfterMs ?? backoff;
      const worthAnotherAttempt =
        retries < policy.maxRetries &&
        delay <= policy.maxRetryAfterMs &&
        // Leave the next attempt a useful share of its timeout.
        remaining() - delay >= policy.attemptTimeoutMs / 4;
      if (!worthAnotherAttempt) {
        const message = `${error.message} (${retries + 1} attempt${retries === 0 ? "" : "s"})`;
        throw error.kind === "timeout"
          ? new PosTimeout(message, { cause: error })
          : new PosUnavailable(message, { cause: error });
      }
      await sleep(delay);
    }
  }
}
