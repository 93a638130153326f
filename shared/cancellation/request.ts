import { createHash } from "node:crypto";
import type { AdminPrincipal } from "../auth/admin";
import { adminLabel } from "../auth/admin";
import { validateIdempotencyKey } from "../conversion/request";
import { Conflict, NotFound, Unprocessable } from "../errors";
import type { SagaStarter } from "../ports";
import type { AuditTrail, CouponRecord, CouponStatus, CouponStore } from "../store";
import { CancellationRefused } from "./errors";
import type { CancellationStore } from "./ports";
import { type CancellationRecord, type CancelReason, cancellationIdOf } from "./records";

/**
 * The API side of a cancellation: idempotency, the synchronous precheck, the atomic
 * `active -> cancelling` claim, starting the saga, and waiting briefly for its outcome.
 */

export interface CancellationRequestDependencies {
  coupons: Pick<CouponStore, "getCoupon">;
  cancellations: Pick<CancellationStore, "beginCancellation" | "getCancellation">;
  saga: SagaStarter<CancellationRecord>;
  audit: Pick<AuditTrail, "appendAuditEvent">;
  now: () => Date;
  /** How long the admin waits for the outcome before getting 202. */
  waitBudgetMs: number;
  pollIntervalMs?: number;
}

export interface CancellationRequest {
  code: string;
  idempotencyKey: string | undefined;
  reason: CancelReason;
  note?: string;
  admin: AdminPrincipal;
}

const hashOf = (value: unknown) => createHash("sha256").update(JSON.stringify(value)).digest("hex");

/** Refuses a coupon that cannot be cancelled now, in the admin's terms. */
function refuseUnlessCancellable(
  code: string,
  status: CouponStatus | undefined,
  coupon?: CouponRecord,
  now?: Date,
) {
  switch (status) {
    case undefined:
      throw new NotFound("coupon_not_found", `No coupon ${code}`);
    case "used":
      throw new Conflict("already_used", `Coupon ${code} has already been used; it cannot be cancelled`);
    case "cancelled":
      throw new Conflict("already_cancelled", `Coupon ${code} has already been cancelled`);
    case "cancelling":
      throw new Conflict("cancellation_in_progress", `Coupon ${code} is being cancelled right now`, 5);
    case "expired":
      throw new Conflict("coupon_expired", `Coupon ${code} has expired; expired coupons give no points back`);
    case "inactive":
      throw new Conflict(
        "coupon_not_active",
        `Coupon ${code} is inactive (held for review); an operator must resolve it first`,
      );
    case "active":
      if (coupon?.type === "custom") {
        // No Shopify code exists to deactivate, and only the merchant's integration knows whether
        // the reward was handed over: refunding from here could pay twice.
        throw new Conflict(
          "custom_reward_not_cancellable",
          `Coupon ${code} is a custom reward fulfilled by the shop's own integration; withdraw it there, then give the points back with a point adjustment`,
        );
      }
      if (coupon && now && new Date(coupon.expiresAt) <= now) {
        throw new Conflict(
          "coupon_expired",
          `Coupon ${code} has expired; expired coupons give no points back`,
        );
      }
  }
}

export async function requestCancellation(
  deps: CancellationRequestDependencies,
  request: CancellationRequest,
): Promise<CancellationRecord> {
  const idempotencyKey = validateIdempotencyKey(request.idempotencyKey);
  const code = request.code.toUpperCase();
  const cancellationId = cancellationIdOf(code, idempotencyKey);
  const requestHash = hashOf({ reason: request.reason, note: request.note ?? null, admin: request.admin.id });

  const [coupon, earlier] = await Promise.all([
    deps.coupons.getCoupon(code),
    deps.cancellations.getCancellation(cancellationId),
  ]);
  if (!coupon) throw new NotFound("coupon_not_found", `No coupon ${code}`);
  // A replay answers what the first request got, even once the coupon is cancelled.
  if (earlier) return replay(deps, earlier, requestHash);
  if (coupon.status === "cancelling") {
    // The two reads ran side by side: the same key may have claimed the coupon between them.
    const raced = await deps.cancellations.getCancellation(cancellationId);
    if (raced) return replay(deps, raced, requestHash);
  }
  const now = deps.now();
  refuseUnlessCancellable(code, coupon.status, coupon, now);

  const begun = await deps.cancellations.beginCancellation({
    cancellationId,
    code,
    idempotencyKey,
    requestHash,
    conversionId: coupon.conversionId,
    customerId: coupon.customerId,
    customerGid: coupon.customerGid,
    discountId: coupon.discountId,
    points: coupon.pointsUsed,
    amount: coupon.amount,
    currency: coupon.currency,
    couponStartsAt: coupon.startsAt,
    couponExpiresAt: coupon.expiresAt,
    actorId: request.admin.id,
    cancelledBy: adminLabel(request.admin),
    reason: request.reason,
    ...(request.note ? { note: request.note } : {}),
    requestedAt: now.toISOString(),
  });
  switch (begun.outcome) {
    case "existing":
      // The same key raced itself; the winner's run is this request's run.
      return replay(deps, begun.cancellation, requestHash);
    case "coupon_not_active":
      refuseUnlessCancellable(code, begun.couponStatus);
      throw new Conflict("cancellation_in_progress", `Coupon ${code} changed while being cancelled`, 5);
    case "started": {
      const cancellation = begun.cancellation;
      await Promise.all([
        deps.audit.appendAuditEvent({
          subject: { type: "coupon", id: code },
          relatedSubjects: [{ type: "conversion", id: cancellation.conversionId }],
          type: "cancellation.requested",
          actor: { kind: "admin", id: request.admin.id },
          outcome: "succeeded",
          detail: `${cancellation.cancelledBy} asked to cancel (${request.reason})`,
          data: {
            cancellationId,
            cancelledBy: cancellation.cancelledBy,
            reason: request.reason,
            note: request.note ?? null,
            idempotencyKey,
            points: cancellation.points,
          },
        }),
        deps.saga.start(cancellation),
      ]);
      return waitForOutcome(deps, cancellation);
    }
  }
}

async function replay(
  deps: CancellationRequestDependencies,
  earlier: CancellationRecord,
  requestHash: string,
): Promise<CancellationRecord> {
  if (earlier.requestHash !== requestHash) {
    throw new Unprocessable(
      "idempotency_key_reused",
      "This Idempotency-Key was already used for a different cancellation request; use a new key",
    );
  }
  if (earlier.status !== "running") return earlier;
  // Idempotent by execution name: a retry after a failed start finds or starts the same run.
  await deps.saga.start(earlier);
  return waitForOutcome(deps, earlier);
}

async function waitForOutcome(
  deps: CancellationRequestDependencies,
  cancellation: CancellationRecord,
): Promise<CancellationRecord> {
  const deadline = Date.now() + deps.waitBudgetMs;
  const interval = deps.pollIntervalMs ?? 40;
  let current = cancellation;
  while (current.status === "running" && Date.now() < deadline) {
    await new Promise((resolve) =>
      setTimeout(resolve, Math.min(interval, Math.max(0, deadline - Date.now()))),
    );
    current = (await deps.cancellations.getCancellation(cancellation.cancellationId)) ?? current;
  }
  return current;
}

export interface CancellationView {
  status: "cancelled" | "pending" | "needs_review";
  code: string;
  cancellationId: string;
  refundedPoints?: number;
  balanceAfter?: number;
  cancelledAt?: string;
  cancelledBy?: string;
  reason?: CancelReason;
  note?: string;
}

/** The admin's answer: a view for 200/202, or the refusal to throw. */
export function outcomeOf(record: CancellationRecord): CancellationView {
  const base = { code: record.code, cancellationId: record.cancellationId };
  switch (record.status) {
    case "cancelled":
      return {
        status: "cancelled",
        ...base,
        refundedPoints: record.refundedPoints ?? record.points,
        ...(record.balanceAfter !== undefined ? { balanceAfter: record.balanceAfter } : {}),
        ...(record.cancelledAt ? { cancelledAt: record.cancelledAt } : {}),
        cancelledBy: record.cancelledBy,
        reason: record.reason,
        ...(record.note ? { note: record.note } : {}),
      };
    case "used":
      throw new CancellationRefused(
        "already_used",
        `Coupon ${record.code} has already been used; nothing was refunded`,
      );
    case "failed":
      throw new CancellationRefused(
        record.failure?.code ?? "cancellation_failed",
        record.failure?.detail ?? "The coupon was not cancelled",
      );
    case "needs_review":
      return { status: "needs_review", ...base };
    default:
      return { status: "pending", ...base };
  }
}
