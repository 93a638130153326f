import { createHash } from "node:crypto";
import { InvalidRequest, LoyaltyError, NotFound, Unprocessable } from "../errors";
import type { AuditTrail, ConversionRecord, ConversionStatus, ConversionStore } from "../store";
import {
  type ConversionRules,
  couponAmountFor,
  couponCodeFor,
  couponWindow,
  newConversionId,
  validatePoints,
} from "./rules";
import type { ConversionOrder } from "./saga";

/**
 * The API side of a conversion: idempotency, the reservation (lease + daily limit + record, in
 * one conditional transaction), starting the saga, and waiting briefly for its outcome.
 */

/** The part of the conversion store the API needs. */
export type ConversionRequests = Pick<
  ConversionStore,
  "findByIdempotencyKey" | "reserveConversion" | "getConversion"
>;

export interface SagaStarter {
  /** Starts (or finds, by execution name) the saga of this conversion; returns the execution ARN. */
  start(order: ConversionOrder): Promise<string>;
}

export interface RequestDependencies {
  requests: ConversionRequests;
  saga: SagaStarter;
  audit: Pick<AuditTrail, "appendAuditEvent">;
  rules: ConversionRules;
  now: () => Date;
  shopDate: (instant: Date) => string;
  /** How long the customer waits for the outcome before getting 202. */
  waitBudgetMs: number;
  pollIntervalMs?: number;
}

export interface ConversionRequest {
  customerId: string;
  customerGid: string;
  idempotencyKey: string | undefined;
  points: number;
}

const terminal: readonly ConversionStatus[] = ["completed", "failed", "compensated", "needs_review"];

export function validateIdempotencyKey(key: string | undefined): string {
  if (!key) {
    throw new InvalidRequest(
      "idempotency_key_required",
      "Send an Idempotency-Key header (for example a UUID) so that a retried request cannot convert twice",
    );
  }
  if (!/^[\x21-\x7e]{8,128}$/.test(key)) {
    throw new InvalidRequest(
      "invalid_idempotency_key",
      "Idempotency-Key must be 8 to 128 visible ASCII characters",
    );
  }
  return key;
}

const hashOf = (body: unknown) => createHash("sha256").update(JSON.stringify(body)).digest("hex");

const orderOf = (record: ConversionRecord): ConversionOrder => ({
  conversionId: record.conversionId,
  customerId: record.customerId,
  customerGid: record.customerGid,
  memberNumber: record.memberNumber,
  points: record.points,
  amount: record.amount,
  currency: record.currency,
  code: record.code,
  startsAt: record.startsAt,
  expiresAt: record.expiresAt,
  shopDate: record.shopDate,
});

export async function requestConversion(
  deps: RequestDependencies,
  request: ConversionRequest,
): Promise<ConversionRecord> {
  const idempotencyKey = validateIdempotencyKey(request.idempotencyKey);
  validatePoints(request.points, deps.rules);
  const requestHash = hashOf({ points: request.points });

  // One conditional transaction decides: a new reservation, or the conversion this key made before.
  const now = deps.now();
  const conversionId = newConversionId();
  const amount = couponAmountFor(request.points, deps.rules);
  const window = couponWindow(now, deps.rules);
  const reserved = await deps.requests.reserveConversion({
    conversionId,
    customerId: request.customerId,
    customerGid: request.customerGid,
    memberNumber: request.customerId,
    points: request.points,
    amount,
    currency: deps.rules.currency,
    code: couponCodeFor(request.customerId, amount),
    startsAt: window.startsAt,
    expiresAt: window.expiresAt,
    shopDate: deps.shopDate(now),
    idempotencyKey,
    requestHash,
  });
  const record = reserved.conversion;
  if (record.requestHash !== requestHash) {
    throw new Unprocessable(
      "idempotency_key_reused",
      "This Idempotency-Key was already used for a different request; use a new key for a new conversion",
    );
  }
  const audited =
    reserved.outcome === "reserved"
      ? deps.audit.appendAuditEvent({
          subject: { type: "conversion", id: conversionId },
          type: "conversion.reserved",
          actor: { kind: "customer", id: request.customerId },
          outcome: "succeeded",
          detail: `${request.points} points for a ${amount} ${deps.rules.currency} coupon`,
          data: { points: request.points, amount, idempotencyKey },
        })
      : undefined;
  // Idempotent by execution name: a replay, or a retry after a failed start, finds the same run.
  const started = terminal.includes(record.status) ? undefined : deps.saga.start(orderOf(record));
  await Promise.all([audited, started]);
  return waitForOutcome(deps, record);
}

async function waitForOutcome(
  deps: RequestDependencies,
  record: ConversionRecord,
): Promise<ConversionRecord> {
  const deadline = Date.now() + deps.waitBudgetMs;
  let current = record;
  // A short, steady poll: a consistent read costs a few milliseconds, and every interval of
  // delay after the saga confirms is time the customer waits for nothing.
  const interval = deps.pollIntervalMs ?? 40;
  while (!terminal.includes(current.status) && Date.now() < deadline) {
    await new Promise((resolve) =>
      setTimeout(resolve, Math.min(interval, Math.max(0, deadline - Date.now()))),
    );
    current = (await deps.requests.getConversion(record.conversionId)) ?? current;
  }
  return current;
}

export async function getConversionOf(
  requests: Pick<ConversionStore, "getConversion">,
  customerId: string,
  conversionId: string,
): Promise<ConversionRecord> {
  const record = await requests.getConversion(conversionId);
  // Another customer's conversion is as invisible as a missing one.
  if (!record || record.customerId !== customerId) {
    throw new NotFound("conversion_not_found", `No conversion ${conversionId} for this customer`);
  }
  return record;
}

/** A failed conversion as the customer should read it. */
export class ConversionRefused extends LoyaltyError {
  readonly status: number;
  readonly code: string;
  readonly title = "The conversion did not go through";
  override readonly extensions: Readonly<Record<string, string>>;
  constructor(code: string, detail: string, conversionId: string) {
    super(detail);
    this.code = code;
    this.status = refusalStatus[code] ?? 502;
    // The refusal is final for this conversion; a client can look it up, or replay the key.
    this.extensions = { conversionId };
  }
}

const refusalStatus: Record<string, number> = {
  insufficient_points: 422,
  not_registered: 404,
  pos_unavailable: 503,
  shopify_unavailable: 503,
  shopify_rejected: 502,
};

export interface ConversionView {
  conversionId: string;
  status: "completed" | "pending" | "needs_review" | "failed";
  coupon?: {
    code: string;
    amount: number;
    currency: string;
    pointsUsed: number;
    startsAt: string;
    expiresAt: string;
  };
  balance?: { before: number; after: number };
  failure?: { code: string; detail: string };
}

export function viewOf(record: ConversionRecord): ConversionView {
  switch (record.status) {
    case "completed":
      return {
        conversionId: record.conversionId,
        status: "completed",
        coupon: {
          code: record.code,
          amount: record.amount,
          currency: record.currency,
          pointsUsed: record.points,
          startsAt: record.startsAt,
          expiresAt: record.expiresAt,
        },
        ...(record.balanceBefore !== undefined && record.balanceAfter !== undefined
          ? { balance: { before: record.balanceBefore, after: record.balanceAfter } }
          : {}),
      };
    case "failed":
    case "compensated":
      return {
        conversionId: record.conversionId,
        status: "failed",
        failure: record.failure ?? { code: "conversion_failed", detail: "The conversion did not go through" },
      };
    case "needs_review":
      return { conversionId: record.conversionId, status: "needs_review" };
    default:
      return { conversionId: record.conversionId, status: "pending" };
  }
}
