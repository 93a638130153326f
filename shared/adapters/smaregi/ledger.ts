import * as z from "zod/mini";
import { NotRegistered, PosDeclined, PosOutcomeUnknown, PosTimeout, PosUnavailable } from "../../errors";
import type { PointChange, PointsLedger } from "../../pos/ports";
import type { HttpAnswer } from "../http-transport";
import { type SmaregiClientOptions, SmaregiPointsReader } from "./client";
import { isTimeout, parseJsonBody, readProblemDetail, wasNeverSent } from "./http";
import { id, integer, optionalDate } from "./schemas";

/** Smaregi's answer to a point change. */
const pointAddResponseSchema = z.object({
  customerId: id,
  point: integer,
  pointExpireDate: optionalDate,
  // Absent in the 2022 API; the current one lists the transactions the change created.
  transactionHeadIds: z._default(z.optional(z.array(id)), []),
});

/**
 * A point change whose outcome is not known (timeout, 5xx, connection cut). Its `name` stays
 * `PosOutcomeUnknown` for the state machine; it adds what reconciliation needs to look the change up.
 */
export class PointChangeOutcomeUnknown extends PosOutcomeUnknown {
  readonly customerId: string;
  readonly delta: number;
  /** When the request was sent: a matching transaction is at or after this instant. */
  readonly attemptStartedAt: Date;

  constructor(
    message: string,
    details: { customerId: string; delta: number; attemptStartedAt: Date },
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.customerId = details.customerId;
    this.delta = details.delta;
    this.attemptStartedAt = details.attemptStartedAt;
  }
}

/**
 * The Smaregi Platform API as the loyalty service's `PointsLedger`: its reads and the point change,
 * sent once and never retried. Create once per process.
 */
export class SmaregiPointsLedger extends SmaregiPointsReader implements PointsLedger {
  private readonly writeTimeoutMs: number;

  constructor(options: SmaregiClientOptions) {
    super(options);
    this.writeTimeoutMs = options.writeTimeoutMs ?? 15_000;
  }

  async addPoints(customerId: string, delta: number): Promise<PointChange> {
    if (!Number.isSafeInteger(delta) || delta === 0) {
      throw new RangeError(`A point change must be a non-zero integer, got ${delta}`);
    }
    const change = `${delta > 0 ? "adding" : "subtracting"} ${Math.abs(delta)} points for customer ${customerId}`;
    let accessToken: string;
    try {
      accessToken = await this.tokens.accessToken();
    } catch (error) {
      // Nothing was sent yet, so a token timeout is a plain "unavailable", not an unknown outcome.
      if (error instanceof PosTimeout) throw new PosUnavailable(error.message, { cause: error });
      throw error;
    }

    const attemptStartedAt = this.now();
    const unknown = (reason: string, cause?: unknown) =>
      new PointChangeOutcomeUnknown(
        `Outcome of ${change} is unknown: ${reason} (sent at ${attemptStartedAt.toISOString()})`,
        { customerId, delta, attemptStartedAt },
        { cause },
      );

    let response: HttpAnswer;
    try {
      response = await this.fetch(`${this.apiBase}/customers/${encodeURIComponent(customerId)}/point/add`, {
        method: "POST",
        headers: { authorization: `Bearer ${accessToken}`, "content-type": "application/json" },
        body: JSON.stringify({ point: String(delta) }),
        signal: AbortSignal.timeout(this.writeTimeoutMs),
      });
    } catch (error) {
      if (!isTimeout(error) && wasNeverSent(error)) {
        throw new PosUnavailable(`Smaregi could not be reached for ${change}; nothing was sent`, {
          cause: error,
        });
      }
      throw unknown(isTimeout(error) ? "no answer in time" : "the connection failed", error);
    }

    if (response.ok) {
      let text: string;
      try {
        text = await response.text();
      } catch (error) {
        throw unknown("the answer broke off", error);
      }
      const parsed = parseJsonBody(text, pointAddResponseSchema);
      if (!parsed.success) throw unknown("the answer could not be read", parsed.error);
      return {
        customerId: parsed.data.customerId,
        balance: parsed.data.point,
        expiresOn: parsed.data.pointExpireDate,
        transactionHeadIds: parsed.data.transactionHeadIds,
      };
    }

    const status = response.status;
    const detail = await readProblemDetail(response);
    const answered = `Smaregi answered ${status}${detail ? `: ${detail}` : ""}`;
    if (status >= 500 || status < 400) throw unknown(answered);
    if (status === 400) throw new PosDeclined(`The store declined ${change}: ${detail ?? "bad request"}`);
    if (status === 404) throw new NotRegistered(`The store has no customer ${customerId}`);
    if (status === 401) this.tokens.forget(accessToken);
    if (status === 401 || status === 403 || status === 429) {
      throw new PosUnavailable(`Point change not applied, ${change}: ${answered}`);
    }
    throw new PosDeclined(`The store declined ${change}: ${answered}`);
  }
}
