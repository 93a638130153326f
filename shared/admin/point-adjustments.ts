import { createHash, randomUUID } from "node:crypto";
import type { AdminPrincipal } from "../auth/admin";
import { adminLabel } from "../auth/admin";
import { Conflict, LoyaltyError, PosDeclined, PosUnavailable, Unprocessable } from "../errors";
import type { AdminAlerts } from "../ports";
import { type ClaimedTransactions, findPointChange, type PosEvidence } from "../pos/evidence";
import { couldOwn } from "../pos/late-change";
import type { PointsLedger, PointsReader } from "../pos/ports";
import type { AuditOutcome, AuditTrail } from "../store";
import type { AdjustmentReason, AdjustmentRecord, AdjustmentStore } from "./adjustment-records";

/**
 * Manual point grants (and corrections) by shop staff. The POS point endpoint has no idempotency
 * key, so the adjustment record is written first and the change is sent once per proven need:
 * - answered: applied, or declined;
 * - certainly not sent: `not_applied`, a replay of the same key may try again;
 * - outcome unknown: wait for the POS to settle, then read its transactions. One unclaimed
 *   transaction of exactly these points since the first attempt -> applied; none -> `not_applied`;
 *   several, or the POS cannot be read -> `needs_review` and the admins are alerted.
 * A replay of a `not_applied` adjustment reconciles again before sending, because a timed-out
 * change can land late; one whose answer was lost is not sent again while it may still land.
 */

export interface AdjustmentRequest {
  admin: AdminPrincipal;
  /** `system`: the service asks on its own (a late deduction's return); the trail names no person. */
  actor?: "admin" | "system";
  customerId: string;
  idempotencyKey: string;
  points: number;
  reason: AdjustmentReason;
  note?: string;
}

export interface AdjustmentDependencies {
  pos: PointsLedger;
  adjustments: AdjustmentStore;
  /** POS transactions other records own: conversions' deductions, refunds, other adjustments. */
  claimed: ClaimedTransactions;
  audit: Pick<AuditTrail, "appendAuditEvent">;
  alerts: AdminAlerts;
  now: () => Date;
  sleep: (ms: number) => Promise<void>;
  /** Time the POS gets to apply a change whose answer was lost, before it is looked for. */
  settleMs: number;
  /** A `pending` attempt older than this died with its invocation and may be reconciled. */
  abandonedAttemptMs: number;
  /**
   * How long after an attempt starts its change may still land when the answer was lost (twice
   * the POS write timeout, as for a deduction): a replay does not send it again before then.
   */
  lateLandingMs: number;
  /** Tolerance between our clock and the POS's transaction times. */
  clockSkewMs?: number;
}

export type AdjustmentResult =
  | { outcome: "applied"; adjustment: AdjustmentRecord; replayed: boolean }
  | { outcome: "needs_review"; adjustment: AdjustmentRecord };

/** Proven not applied: the same request with the same key may be sent again. */
export class AdjustmentNotApplied extends LoyaltyError {
  override readonly name: string = "AdjustmentNotApplied";
  readonly status = 503;
  readonly code = "adjustment_not_applied";
  readonly title = "The points were not changed";
  override readonly retryAfterSeconds: number;
  constructor(message: string, options?: { cause?: unknown; retryAfterSeconds?: number }) {
    super(message, options);
    this.retryAfterSeconds = options?.retryAfterSeconds ?? 5;
  }
}

interface Reconciliation {
  outcome: "applied" | "not_applied" | "unknown";
  reason: string;
  transactionHeadIds?: string[];
  balance?: number;
}

export const requestHashOf = (request: Pick<AdjustmentRequest, "points" | "reason" | "note">) =>
  createHash("sha256")
    .update(JSON.stringify([request.points, request.reason, request.note ?? ""]))
    .digest("hex");

export async function adjustPoints(
  deps: AdjustmentDependencies,
  request: AdjustmentRequest,
): Promise<AdjustmentResult> {
  const requestHash = requestHashOf(request);
  const existing = await deps.adjustments.get(request.customerId, request.idempotencyKey);
  if (existing) return replay(deps, request, existing, requestHash);

  const member = await deps.pos.findMember(request.customerId);
  const balance = await deps.pos.getBalance(member.customerId);
  const startedAt = deps.now().toISOString();
  const { created, record } = await deps.adjustments.create({
    adjustmentId: randomUUID(),
    customerId: request.customerId,
    idempotencyKey: request.idempotencyKey,
    requestHash,
    points: request.points,
    reason: request.reason,
    ...(request.note ? { note: request.note } : {}),
    requestedBy: request.admin.id,
    requestedByLabel: adminLabel(request.admin),
    posCustomerId: member.customerId,
    status: "pending",
    attempts: 1,
    firstAttemptAt: startedAt,
    attemptStartedAt: startedAt,
    balanceBefore: balance.points,
  });
  // A concurrent request with the same key won the write: answer as its replay.
  if (!created) return replay(deps, request, record, requestHash);
  await audit(
    deps,
    request,
    record,
    "points.adjustment_requested",
    "succeeded",
    `balance before ${balance.points}`,
  );
  return attempt(deps, request, record);
}

async function replay(
  deps: AdjustmentDependencies,
  request: AdjustmentRequest,
  record: AdjustmentRecord,
  requestHash: string,
): Promise<AdjustmentResult> {
  if (record.requestHash !== requestHash) {
    throw new Unprocessable(
      "idempotency_key_reused",
      "This Idempotency-Key was used for a different point adjustment; use a new key for a new adjustment",
    );
  }
  switch (record.status) {
    case "applied":
      return { outcome: "applied", adjustment: record, replayed: true };
    case "needs_review":
      return { outcome: "needs_review", adjustment: record };
    case "declined":
      throw new PosDeclined(record.failure ?? "The POS declined this point adjustment");
    case "pending": {
      const age = deps.now().getTime() - new Date(record.attemptStartedAt).getTime();
      if (age < deps.abandonedAttemptMs) {
        throw new Conflict(
          "adjustment_in_progress",
          "This point adjustment is being sent to the POS; repeat the request shortly",
          Math.ceil((deps.abandonedAttemptMs - age) / 1000),
        );
      }
      return settle(deps, request, record, "the attempt's invocation ended without recording an outcome");
    }
    case "not_applied": {
      const reconciled = await reconcile(deps, record);
      if (reconciled.outcome !== "not_applied") {
        return recordReconciliation(deps, request, record, "not_applied", reconciled);
      }
      // The POS does not list it, but a lost request may still land: not sent again before then.
      const landingSeconds = secondsStillLanding(deps, record);
      if (landingSeconds !== undefined) {
        throw new AdjustmentNotApplied(
          `The POS does not list the change yet, and the request whose answer was lost may still reach it for ${landingSeconds} s; nothing is sent again before then. Repeat the same request with the same Idempotency-Key after that.`,
          { retryAfterSeconds: landingSeconds },
        );
      }
      // Proven not applied, now as well: one replay (the conditional write decides which) sends again.
      const retry = await deps.adjustments.transition(record, ["not_applied"], {
        status: "pending",
        attempts: record.attempts + 1,
        attemptStartedAt: deps.now().toISOString(),
        ...(reconciled.balance !== undefined ? { balanceBefore: reconciled.balance } : {}),
      });
      await audit(deps, request, retry, "points.adjustment_retried", "succeeded", reconciled.reason);
      return attempt(deps, request, retry);
    }
  }
}

async function attempt(
  deps: AdjustmentDependencies,
  request: AdjustmentRequest,
  record: AdjustmentRecord,
): Promise<AdjustmentResult> {
  try {
    const change = await deps.pos.addPoints(record.posCustomerId, record.points);
    const applied = await deps.adjustments.transition(
      record,
      ["pending"],
      { status: "applied", balanceAfter: change.balance, transactionHeadIds: change.transactionHeadIds },
      { sameAttempt: true },
    );
    await audit(deps, request, applied, "points.adjusted", "succeeded", `balance after ${change.balance}`);
    return { outcome: "applied", adjustment: applied, replayed: false };
  } catch (error) {
    if (error instanceof PosDeclined) {
      const declined = await deps.adjustments.transition(
        record,
        ["pending"],
        { status: "declined", failure: error.message },
        { sameAttempt: true },
      );
      await audit(deps, request, declined, "points.adjusted", "failed", `declined: ${error.message}`);
      throw error;
    }
    if (error instanceof PosUnavailable) {
      // The client only says "unavailable" when nothing was sent.
      const notApplied = await deps.adjustments.transition(
        record,
        ["pending"],
        { status: "not_applied", failure: error.message },
        { sameAttempt: true },
      );
      await audit(deps, request, notApplied, "points.adjusted", "failed", `not sent: ${error.message}`);
      throw new AdjustmentNotApplied(
        "The POS could not be reached; nothing was changed. Repeat the request with the same Idempotency-Key.",
        { cause: error },
      );
    }
    // PosOutcomeUnknown, or anything unexpected after sending: never guess, never resend.
    const reason = error instanceof Error ? error.message : "unknown error";
    await audit(deps, request, record, "points.adjusted", "unknown", reason);
    await deps.sleep(deps.settleMs);
    return settle(deps, request, record, reason);
  }
}

/**
 * For how many seconds the last attempt of an adjustment whose answer was lost may still land, if
 * it may; a change sent once without an answer is sent again only after that.
 */
function secondsStillLanding(
  deps: Pick<AdjustmentDependencies, "now" | "lateLandingMs">,
  record: Pick<AdjustmentRecord, "answerLost" | "attemptStartedAt">,
): number | undefined {
  if (!record.answerLost) return undefined;
  const waitMs = Date.parse(record.attemptStartedAt) + deps.lateLandingMs - deps.now().getTime();
  return waitMs > 0 ? Math.ceil(waitMs / 1000) : undefined;
}

/** Reconciles a `pending` attempt and records what the POS says. */
async function settle(
  deps: AdjustmentDependencies,
  request: AdjustmentRequest,
  record: AdjustmentRecord,
  why: string,
): Promise<AdjustmentResult> {
  const reconciled = await reconcile(deps, record);
  return recordReconciliation(deps, request, record, "pending", reconciled, why);
}

async function recordReconciliation(
  deps: AdjustmentDependencies,
  request: AdjustmentRequest,
  record: AdjustmentRecord,
  from: "pending" | "not_applied",
  reconciled: Reconciliation,
  why?: string,
): Promise<AdjustmentResult> {
  const sameAttempt = { sameAttempt: from === "pending" };
  const auditOutcome: AuditOutcome = reconciled.outcome === "unknown" ? "unknown" : "succeeded";
  switch (reconciled.outcome) {
    case "applied": {
      const applied = await deps.adjustments.transition(
        record,
        [from],
        {
          status: "applied",
          transactionHeadIds: reconciled.transactionHeadIds ?? [],
          ...(reconciled.balance !== undefined ? { balanceAfter: reconciled.balance } : {}),
        },
        sameAttempt,
      );
      await audit(
        deps,
        request,
        applied,
        "points.adjustment_reconciled",
        auditOutcome,
        `applied: ${reconciled.reason}`,
      );
      return { outcome: "applied", adjustment: applied, replayed: from === "not_applied" };
    }
    case "not_applied": {
      const notApplied = await deps.adjustments.transition(
        record,
        [from],
        { status: "not_applied", failure: reconciled.reason, answerLost: true },
        sameAttempt,
      );
      await audit(
        deps,
        request,
        notApplied,
        "points.adjustment_reconciled",
        auditOutcome,
        `not applied: ${reconciled.reason}`,
      );
      const landingSeconds = secondsStillLanding(deps, notApplied);
      throw new AdjustmentNotApplied(
        landingSeconds !== undefined
          ? `The POS has not applied the change. The request whose answer was lost may still reach it for ${landingSeconds} s, so it is sent again only after that: repeat the same request with the same Idempotency-Key then.`
          : "The POS did not apply the change; repeat the request with the same Idempotency-Key to try again.",
        { retryAfterSeconds: landingSeconds },
      );
    }
    case "unknown": {
      const reviewReason = `${why ? `${why}; ` : ""}${reconciled.reason}`;
      const parked = await deps.adjustments.transition(
        record,
        [from],
        { status: "needs_review", reviewReason },
        sameAttempt,
      );
      await audit(deps, request, parked, "points.adjustment_needs_review", "unknown", reviewReason);
      await deps.alerts.raise(
        "needs_review",
        `Point adjustment for customer ${record.customerId} needs review`,
        {
          adjustmentId: record.adjustmentId,
          customerId: record.customerId,
          posCustomerId: record.posCustomerId,
          points: record.points,
          reason: record.reason,
          requestedBy: record.requestedByLabel,
          firstAttemptAt: record.firstAttemptAt,
          reviewReason,
          action: "Check the customer's POS transactions since firstAttemptAt before adjusting again.",
        },
      );
      return { outcome: "needs_review", adjustment: parked };
    }
  }
}

/**
 * What the POS says about an adjustment, by the one rule of `pos/evidence`, since the first attempt
 * (a replay may have sent the change again). The caller has let the change settle.
 */
/** What reading an adjustment's evidence needs: the POS only read. */
export type AdjustmentEvidenceDependencies = Pick<
  AdjustmentDependencies,
  "claimed" | "now" | "clockSkewMs"
> & {
  pos: PointsReader;
};

export function readAdjustmentEvidence(
  deps: AdjustmentEvidenceDependencies,
  record: AdjustmentRecord,
): Promise<PosEvidence> {
  return findPointChange(deps, {
    posCustomerId: record.posCustomerId,
    customerId: record.customerId,
    owner: { kind: "adjustment", id: record.adjustmentId },
    direction: record.points > 0 ? "addition" : "subtraction",
    points: Math.abs(record.points),
    startedAt: new Date(record.firstAttemptAt),
    settleMs: 0,
    clockSkewMs: deps.clockSkewMs,
    window: "since_first_attempt",
    balanceBefore: record.balanceBefore,
    ownerLabel: "this adjustment",
  });
}

/** Reconciliation after a lost answer: a POS that cannot be read is a question too. */
async function reconcile(deps: AdjustmentDependencies, record: AdjustmentRecord): Promise<Reconciliation> {
  const { cause: _cause, settlesInMs: _settles, ...evidence } = await readAdjustmentEvidence(deps, record);
  return evidence.outcome === "unreadable"
    ? { ...evidence, outcome: "unknown" }
    : { ...evidence, outcome: evidence.outcome };
}

async function audit(
  deps: AdjustmentDependencies,
  request: AdjustmentRequest,
  record: AdjustmentRecord,
  type: string,
  outcome: AuditOutcome,
  detail: string,
): Promise<void> {
  await deps.audit.appendAuditEvent({
    subject: { type: "customer", id: record.customerId },
    type,
    actor:
      request.actor === "system"
        ? { kind: "system", id: request.admin.id }
        : { kind: "admin", id: adminLabel(request.admin) },
    outcome,
    detail,
    data: {
      adjustmentId: record.adjustmentId,
      points: record.points,
      reason: record.reason,
      note: record.note ?? null,
      idempotencyKey: record.idempotencyKey,
      attempt: record.attempts,
      status: record.status,
      adminSubject: request.admin.id,
    },
    ...(record.transactionHeadIds?.length
      ? { externalIds: { smaregiTransactionHeadIds: record.transactionHeadIds } }
      : {}),
  });
}

/** How the service asks for a point adjustment of its own: recorded as the system, never as a person. */
export const systemRequester = (id: string): AdminPrincipal => ({ id: `system:${id}`, roles: [] });

/**
 * The customer's adjustments of exactly `signedPoints` whose change went unanswered (sent, outcome
 * not known or concluded not applied) and could have been stamped at `stampedAt`: a late change of
 * that size may be theirs.
 */
export async function unansweredAdjustments(
  adjustments: Pick<AdjustmentStore, "listByCustomer">,
  customerId: string,
  signedPoints: number,
  stampedAt: number,
  clockSkewMs?: number,
): Promise<string[]> {
  const records = await adjustments.listByCustomer(customerId, 100);
  return records
    .filter(
      (record) =>
        record.points === signedPoints &&
        (record.status === "pending" ||
          record.status === "not_applied" ||
          record.status === "needs_review") &&
        couldOwn(record.firstAttemptAt, stampedAt, { clockSkewMs }),
    )
    .map((record) => `adjustment ${record.adjustmentId}`);
}

/**
 * A point adjustment the service makes on its own (a late change given back or taken back). Sent
 * again by a repeat only when nothing was sent (the POS unreachable); after an answer that was lost
 * and a reconciliation that found nothing, a repeat would send it a second time while the first may
 * still land, so it is `unsettled` instead and a person decides.
 */
export async function settledAdjustment(
  deps: AdjustmentDependencies,
  request: AdjustmentRequest,
): Promise<AdjustmentResult | { outcome: "unsettled"; reason: string }> {
  const existing = await deps.adjustments.get(request.customerId, request.idempotencyKey);
  if (existing?.status === "not_applied" && existing.answerLost) {
    return {
      outcome: "unsettled",
      reason: `adjustment ${existing.adjustmentId}: it was sent, or may have been, without an answer, and the POS did not list it: ${existing.failure ?? ""}`,
    };
  }
  try {
    return await adjustPoints(deps, request);
  } catch (error) {
    if (!(error instanceof AdjustmentNotApplied) || error.cause instanceof PosUnavailable) throw error;
    return {
      outcome: "unsettled",
      reason: `it was sent, or may have been, without an answer, and the POS does not list it yet: ${error.message}`,
    };
  }
}
