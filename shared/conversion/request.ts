import { createHash } from "node:crypto";
import { InvalidRequest, LoyaltyError, NotFound, Unprocessable } from "../errors";
import type { SagaStarter } from "../ports";
import { type RewardTerms, termsOf } from "../rewards/issue";
import type { RewardStore } from "../rewards/ports";
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

export interface RequestDependencies {
  requests: ConversionRequests;
  saga: SagaStarter<ConversionOrder>;
  audit: Pick<AuditTrail, "appendAuditEvent">;
  rules: ConversionRules;
  /** Reward rules, for conversions by `rewardId`; without it only plain points convert. */
  rewards: Pick<RewardStore, "getReward">;
  now: () => Date;
  shopDate: (instant: Date) => string;
  /** How long the customer waits for the outcome before getting 202. */
  waitBudgetMs: number;
  /** How often the record is read while the saga prepares (40 ms). */
  pollIntervalMs?: number;
  /** How often once the deduction's answer may come (2 ms): see `nextPollIn`. */
  settlingPollIntervalMs?: number;
}

export interface ConversionRequest {
  customerId: string;
  customerGid: string;
  idempotencyKey: string | undefined;
  /** Plain conversion: the points. By reward: only for a variable cost. */
  points?: number;
  rewardId?: string;
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

/**
 * The saga's input from the stored conversion. Reward fields come last and only when present, so
 * a plain conversion's input is the same string it always was (Step Functions compares it).
 */
export const orderOf = (record: ConversionRecord): ConversionOrder => ({
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
  ...(record.rewardId !== undefined ? { rewardId: record.rewardId } : {}),
  ...(record.reward !== undefined ? { reward: record.reward } : {}),
});

/** What a plain `{"points": N}` request converts into: a fixed amount off, by the stage's rules. */
function plainTerms(deps: RequestDependencies, points: number | undefined, customerId: string, now: Date) {
  if (points === undefined) {
    throw new InvalidRequest("invalid_points", 'points must be a number, e.g. {"points": 500}');
  }
  validatePoints(points, deps.rules);
  const amount = couponAmountFor(points, deps.rules);
  return {
    points,
    amount,
    currency: deps.rules.currency,
    code: couponCodeFor(customerId, amount),
    ...couponWindow(now, deps.rules),
  };
}

/**
 * The terms of a conversion by reward. A replay of a key used before answers with that
 * conversion even if the rule has changed or been switched off since.
 */
async function rewardTerms(
  deps: RequestDependencies,
  request: ConversionRequest & { rewardId: string },
  idempotencyKey: string,
  now: Date,
): Promise<RewardTerms | ConversionRecord> {
  const [previous, rule] = await Promise.all([
    deps.requests.findByIdempotencyKey(request.customerId, idempotencyKey),
    deps.rewards.getReward(request.rewardId),
  ]);
  if (previous) return previous;
  return termsOf(rule, request.rewardId, request.points, {
    now,
    shopCurrency: deps.rules.currency,
    defaultValidityDays: deps.rules.validityDays,
  });
}

export async function requestConversion(
  deps: RequestDependencies,
  request: ConversionRequest,
): Promise<ConversionRecord> {
  const idempotencyKey = validateIdempotencyKey(request.idempotencyKey);
  const now = deps.now();
  const conversionId = newConversionId();
  let reserved: { outcome: "reserved" | "existing"; conversion: ConversionRecord };
  let requestHash: string;
  if (request.rewardId === undefined) {
    const terms = plainTerms(deps, request.points, request.customerId, now);
    requestHash = hashOf({ points: request.points });
    // One conditional transaction decides: a new reservation, or the conversion this key made before.
    reserved = await deps.requests.reserveConversion({
      conversionId,
      customerId: request.customerId,
      customerGid: request.customerGid,
      memberNumber: request.customerId,
      ...terms,
      shopDate: deps.shopDate(now),
      idempotencyKey,
      requestHash,
    });
  } else {
    requestHash = hashOf({ rewardId: request.rewardId, points: request.points ?? null });
    const terms = await rewardTerms(deps, { ...request, rewardId: request.rewardId }, idempotencyKey, now);
    reserved =
      "conversionId" in terms
        ? { outcome: "existing", conversion: terms }
        : await deps.requests.reserveConversion({
            conversionId,
            customerId: request.customerId,
            customerGid: request.customerGid,
            memberNumber: request.customerId,
            points: terms.points,
            amount: terms.amount,
            currency: terms.currency,
            code: couponCodeFor(request.customerId, terms.codeSuffix),
            startsAt: terms.startsAt,
            expiresAt: terms.expiresAt,
            shopDate: deps.shopDate(now),
            idempotencyKey,
            requestHash,
            rewardId: request.rewardId,
            reward: terms.reward,
          });
  }
  const record = reserved.conversion;
  if (record.requestHash !== requestHash) {
    throw new Unprocessable(
      "idempotency_key_reused",
      "This Idempotency-Key was already used for a different request; use a new key for a new conversion",
    );
  }
  // Idempotent by execution name: a replay, or a retry after a failed start, finds the same run.
  // Sent before the audit entry is written, which the saga does not wait for.
  const started = terminal.includes(record.status) ? undefined : deps.saga.start(orderOf(record));
  const audited =
    reserved.outcome === "reserved"
      ? deps.audit.appendAuditEvent({
          subject: { type: "conversion", id: conversionId },
          type: "conversion.reserved",
          actor: { kind: "customer", id: request.customerId },
          outcome: "succeeded",
          detail:
            record.rewardId === undefined
              ? `${record.points} points for a ${record.amount} ${record.currency} coupon`
              : `${record.points} points for reward ${record.rewardId} (${record.reward?.coupon.type ?? "unknown"} coupon)`,
          data: {
            points: record.points,
            amount: record.amount,
            idempotencyKey,
            ...(record.rewardId !== undefined ? { rewardId: record.rewardId } : {}),
          },
        })
      : undefined;
  await Promise.all([audited, started]);
  return waitForOutcome(deps, record);
}

/**
 * How long the deductions this instance has seen took, from their start to their conversion's
 * completion (ms), newest last: the API reads the record often only from shortly before the next
 * one is expected, which keeps the reads per conversion near what a steady poll costs.
 */
const recentDeductions: number[] = [];
const rememberedDeductions = 10;

export interface PollIntervals {
  /** While the saga prepares (balance check, coupon creation): 40 ms. */
  preparing: number;
  /** Once the deduction's answer may come: 2 ms. */
  settling: number;
  /** How long before the earliest expected answer the close reads start: 100 ms. */
  leadMs: number;
}

/**
 * The wait before the next read of a conversion. Until the deduction starts the saga is checking
 * the balance and creating the code, which takes the POS and Shopify their time. Then the outcome
 * follows the POS's answer within milliseconds, and each interval of delay is time the customer
 * waits for nothing: from `leadMs` before the shortest recent deduction on (at once, the first
 * time), the record is read every `settling` ms.
 */
export function nextPollIn(
  current: Pick<ConversionRecord, "deductionStartedAt">,
  nowMs: number,
  recent: readonly number[],
  intervals: PollIntervals,
): number {
  if (current.deductionStartedAt === undefined) return intervals.preparing;
  if (recent.length === 0) return intervals.settling;
  const closeFrom = Date.parse(current.deductionStartedAt) + Math.min(...recent) - intervals.leadMs;
  return Math.max(intervals.settling, Math.min(intervals.preparing, closeFrom - nowMs));
}

async function waitForOutcome(
  deps: RequestDependencies,
  record: ConversionRecord,
): Promise<ConversionRecord> {
  const deadline = Date.now() + deps.waitBudgetMs;
  let current = record;
  const intervals = {
    preparing: deps.pollIntervalMs ?? 40,
    settling: deps.settlingPollIntervalMs ?? 2,
    leadMs: 100,
  };
  while (!terminal.includes(current.status) && Date.now() < deadline) {
    const interval = nextPollIn(current, Date.now(), recentDeductions, intervals);
    await new Promise((resolve) =>
      setTimeout(resolve, Math.min(interval, Math.max(0, deadline - Date.now()))),
    );
    current = (await deps.requests.getConversion(record.conversionId)) ?? current;
  }
  if (current.status === "completed" && current.deductionStartedAt !== undefined) {
    // Both instants are the saga's clock.
    recentDeductions.push(Date.parse(current.updatedAt) - Date.parse(current.deductionStartedAt));
    if (recentDeductions.length > rememberedDeductions) recentDeductions.shift();
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
  override readonly name: string = "ConversionRefused";
  readonly status: number;
  readonly code: string;
  readonly title = "The conversion did not go through";
  override readonly extensions: Readonly<Record<string, string>>;
  override readonly retryAfterSeconds: number | undefined;
  constructor(code: string, detail: string, conversionId: string) {
    super(detail);
    this.code = code;
    this.status = refusalStatus[code] ?? 502;
    // A service that was down may be back soon; a new conversion (a new Idempotency-Key) may work.
    this.retryAfterSeconds = this.status === 503 ? 30 : undefined;
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
    /** Only for conversions by reward. */
    type?: string;
    rewardId?: string;
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
          ...(record.reward !== undefined
            ? { type: record.reward.coupon.type, rewardId: record.reward.rewardId }
            : {}),
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
