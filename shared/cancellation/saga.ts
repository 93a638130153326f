import { PosOutcomeUnknown, PosTimeout, PosUnavailable } from "../errors";
import type { AdminAlerts, CustomerCouponRecords } from "../ports";
import { type ClaimedTransactions, findPointChange, type Reconciled, reconciledFrom } from "../pos/evidence";
import type { PointsLedger, PointsReader } from "../pos/ports";
import type { CustomerRecords, DiscountCodeChanges } from "../shopify/ports";
import { type CaughtError, causeMessage } from "../step-functions";
import {
  type AuditOutcome,
  type AuditTrail,
  type CouponRecord,
  type CouponStatus,
  CouponStatusConflict,
  type CouponStore,
  DuplicateAuditEvent,
} from "../store";
import { CouponNotHeld, DiscountCodeMissing, DiscountStillActive } from "./errors";
import { noticeLocaleOf } from "./notice";
import type { CancellationStore, CustomerNotices, NoticeLocale } from "./ports";
import type { CancellationRecord, CancelReason } from "./records";

/**
 * The task steps of the cancellation saga (state-machines/cancel-coupon.asl.json). Every step is
 * safe to run again with the same input, except the refund, which guards itself with a conditional
 * write on the coupon so that even a re-run never gives points back twice.
 */

export interface CancellationOrder {
  cancellationId: string;
  code: string;
  conversionId: string;
  customerId: string;
  customerGid: string;
  discountId: string;
  points: number;
  amount: number;
  currency: string;
  couponStartsAt: string;
  couponExpiresAt: string;
  actorId: string;
  cancelledBy: string;
  reason: CancelReason;
  note?: string;
  requestedAt: string;
}

export function orderOf(record: CancellationRecord): CancellationOrder {
  return {
    cancellationId: record.cancellationId,
    code: record.code,
    conversionId: record.conversionId,
    customerId: record.customerId,
    customerGid: record.customerGid,
    discountId: record.discountId,
    points: record.points,
    amount: record.amount,
    currency: record.currency,
    couponStartsAt: record.couponStartsAt,
    couponExpiresAt: record.couponExpiresAt,
    actorId: record.actorId,
    cancelledBy: record.cancelledBy,
    reason: record.reason,
    ...(record.note !== undefined ? { note: record.note } : {}),
    requestedAt: record.requestedAt,
  };
}

export interface CouponChecked {
  used: boolean;
  asyncUsageCount: number;
  /** Absent when the coupon was used: nothing will be refunded, so the member is not looked up. */
  posCustomerId?: string;
}

export interface UsageRechecked {
  used: boolean;
  asyncUsageCount: number;
  couponStatus: CouponStatus | null;
}

export interface PointsRefunded {
  balanceAfter: number;
  transactionHeadIds: string[];
}

/** `pending`: the first refund may still land; the state machine waits and reads again. */
export type RefundReconciled = Reconciled;

export type { CaughtError };

export interface CancellationState extends CancellationOrder {
  check?: CouponChecked;
  deactivation?: { status: string };
  usage?: UsageRechecked;
  /** Set to 2 by the state machine for the one refund sent again after proof of non-application. */
  refundAttempt?: number;
  refund?: PointsRefunded;
  reconciliation?: RefundReconciled;
  error?: CaughtError;
  recordError?: CaughtError;
  noticeError?: CaughtError;
  /** Set when giving the coupon back failed; the cancellation is then parked. */
  restoreError?: CaughtError;
  /** Reconciling the refund failed: the POS could not be read. */
  reconcileError?: CaughtError;
  completionError?: CaughtError;
  /** TakeBackLateRefund's answer (`late-refund.ts`). */
  lateRefund?: { found: string; transactionHeadId?: string; takenBack?: string };
}

/** What one step uses of the saga's dependencies: each task function is built with only that. */
export type StepNeeds<K extends keyof CancellationDependencies> = Pick<CancellationDependencies, K>;

/** What a step that only reads the POS needs of it: the point change stays out of its function. */
export type ReadsPos = { pos: PointsReader };

export interface CancellationDependencies {
  pos: PointsLedger;
  discounts: DiscountCodeChanges;
  customers: Pick<CustomerRecords, "getCustomer">;
  records: CustomerCouponRecords;
  coupons: Pick<CouponStore, "getCoupon" | "updateCouponStatus">;
  /** POS transactions other records own: a staff grant of the same size is not a refund. */
  claimed: ClaimedTransactions;
  cancellations: CancellationStore;
  audit: Pick<AuditTrail, "appendAuditEvent">;
  alerts: AdminAlerts;
  notices: CustomerNotices;
  defaultLocale: NoticeLocale;
  now: () => Date;
  /** How far before the recorded start a POS transaction may be stamped (clock skew). */
  clockSkewMs?: number;
  /**
   * How long after the first refund attempt its request may still reach the POS (a timed-out
   * request can land late). "Not applied", and with it a second attempt, only after this; twice the
   * write timeout, as for a deduction.
   */
  refundSettleMs?: number;
}

interface AuditEntry {
  type: string;
  outcome: AuditOutcome;
  detail?: string;
  data?: Record<string, string | number | boolean | null>;
  smaregiTransactionHeadIds?: string[];
  withDiscountId?: boolean;
  /** When it happened, if written later than that; now by default. */
  at?: string;
  /** For an entry a repeated step may write again: written once (see `recordOnce`). */
  eventId?: string;
}

/** Appends a step's event under the coupon and its conversion; the actor is the admin who asked. */
export async function record(deps: StepNeeds<"audit">, order: CancellationOrder, entry: AuditEntry) {
  const smaregi = entry.smaregiTransactionHeadIds;
  await deps.audit.appendAuditEvent({
    subject: { type: "coupon", id: order.code },
    relatedSubjects: [{ type: "conversion", id: order.conversionId }],
    type: entry.type,
    actor: { kind: "admin", id: order.actorId },
    outcome: entry.outcome,
    ...(entry.detail ? { detail: entry.detail } : {}),
    ...(entry.at ? { at: entry.at } : {}),
    ...(entry.eventId ? { eventId: entry.eventId } : {}),
    data: { cancellationId: order.cancellationId, ...entry.data },
    ...(entry.withDiscountId || smaregi
      ? {
          externalIds: {
            ...(entry.withDiscountId ? { shopifyDiscountId: order.discountId } : {}),
            ...(smaregi ? { smaregiTransactionHeadIds: smaregi } : {}),
          },
        }
      : {}),
  });
}

/** An entry a repeated step may write again: written once, the rest ignored. */
export async function recordOnce(
  deps: StepNeeds<"audit">,
  order: CancellationOrder,
  entry: AuditEntry & { eventId: string },
) {
  try {
    await record(deps, order, entry);
  } catch (error) {
    if (!(error instanceof DuplicateAuditEvent)) throw error;
  }
}

const messageOf = (error: unknown) =>
  error instanceof Error ? `${error.name}: ${error.message}` : String(error);

/** The coupon must be `cancelling` on behalf of this very cancellation. */
async function requireHeld(deps: StepNeeds<"cancellations" | "coupons">, order: CancellationOrder) {
  const [coupon, guard] = await Promise.all([
    deps.coupons.getCoupon(order.code),
    deps.cancellations.refundGuardOf(order.code),
  ]);
  return { coupon, held: coupon?.status === "cancelling" && guard?.cancellationId === order.cancellationId };
}

/** Must be active and unused: the coupon record (a webhook may have marked it used) and Shopify's count. */
export async function checkCoupon(
  deps: StepNeeds<"audit" | "cancellations" | "coupons" | "discounts"> & ReadsPos,
  order: CancellationOrder,
): Promise<CouponChecked> {
  const { coupon, held } = await requireHeld(deps, order);
  // An order webhook records the order on a `cancelling` coupon without changing its status.
  if (coupon?.status === "used" || coupon?.orderId !== undefined) {
    await record(deps, order, { type: "cancellation.checked", outcome: "succeeded", detail: "already used" });
    return { used: true, asyncUsageCount: 0 };
  }
  if (!held) {
    throw new CouponNotHeld(
      `Coupon ${order.code} is ${coupon?.status ?? "missing"} and not held by cancellation ${order.cancellationId}`,
    );
  }
  const discount = await deps.discounts.findDiscountByCode(order.code);
  if (!discount) throw new DiscountCodeMissing(`Shopify has no discount code ${order.code}`);
  if (discount.asyncUsageCount > 0) {
    await record(deps, order, {
      type: "cancellation.checked",
      outcome: "succeeded",
      detail: `used at checkout (usage count ${discount.asyncUsageCount})`,
      withDiscountId: true,
    });
    return { used: true, asyncUsageCount: discount.asyncUsageCount };
  }
  // The coupon's customer id is the member number at the store.
  const member = await deps.pos.findMember(order.customerId);
  await record(deps, order, {
    type: "cancellation.checked",
    outcome: "succeeded",
    detail: `unused; store member ${member.customerId}`,
    withDiscountId: true,
  });
  return { used: false, asyncUsageCount: 0, posCustomerId: member.customerId };
}

export async function deactivateCode(
  deps: StepNeeds<"audit" | "discounts">,
  order: CancellationOrder,
): Promise<{ status: string }> {
  const summary = await deps.discounts.deactivateDiscount(order.discountId);
  await record(deps, order, {
    type: "coupon.deactivated",
    outcome: "succeeded",
    detail: `Shopify status ${summary.status}`,
    withDiscountId: true,
  });
  return { status: summary.status };
}

/**
 * A checkout may have redeemed the code just before it was deactivated: look again, at Shopify's
 * usage count and at the coupon record, before any point goes back.
 */
export async function recheckUsage(
  deps: StepNeeds<"audit" | "coupons" | "discounts">,
  order: CancellationOrder,
): Promise<UsageRechecked> {
  const [discount, coupon] = await Promise.all([
    deps.discounts.findDiscountByCode(order.code),
    deps.coupons.getCoupon(order.code),
  ]);
  if (!discount) throw new DiscountCodeMissing(`Shopify has no discount code ${order.code} any more`);
  const used = discount.asyncUsageCount > 0 || coupon?.status === "used" || coupon?.orderId !== undefined;
  if (!used && discount.status === "ACTIVE") {
    throw new DiscountStillActive(`Discount code ${order.code} is still ACTIVE after its deactivation`);
  }
  await record(deps, order, {
    type: "usage.rechecked",
    outcome: "succeeded",
    detail: used
      ? `used at checkout (usage count ${discount.asyncUsageCount}, record ${coupon?.status ?? "missing"})`
      : "unused, code inactive",
    withDiscountId: true,
  });
  return { used, asyncUsageCount: discount.asyncUsageCount, couponStatus: coupon?.status ?? null };
}

/** The coupon was used: stop, refund nothing, reactivate nothing. */
export async function markUsed(
  deps: StepNeeds<"audit" | "cancellations" | "coupons" | "now">,
  state: CancellationState,
) {
  try {
    await deps.coupons.updateCouponStatus(state.code, ["cancelling"], {
      status: "used",
      usedAt: deps.now().toISOString(),
    });
  } catch (error) {
    // A webhook may have marked it used first: the goal state holds.
    if (!(error instanceof CouponStatusConflict && error.currentStatus === "used")) throw error;
  }
  const detail = "the coupon was used at checkout; nothing was refunded and the code stays as it is";
  await deps.cancellations.updateCancellation(state.cancellationId, ["running", "used"], {
    status: "used",
    failure: { code: "already_used", detail: `Coupon ${state.code} has already been used` },
  });
  await record(deps, state, {
    type: "cancellation.stopped",
    outcome: "skipped",
    detail,
    withDiscountId: true,
  });
  return { status: "used" as const };
}

export function requirePosCustomer(state: CancellationState): string {
  const id = state.check?.posCustomerId;
  if (!id) throw new Error(`Cancellation ${state.cancellationId} reached the refund without its member`);
  return id;
}

/**
 * The one irreversible step, never retried by the state machine. The conditional "refund started"
 * write on the coupon comes first, so a second run of this step reconciles instead of refunding.
 */
export async function refundPoints(
  deps: StepNeeds<"audit" | "cancellations" | "coupons" | "now" | "pos">,
  state: CancellationState,
): Promise<PointsRefunded> {
  const posCustomerId = requirePosCustomer(state);
  const attempt = state.refundAttempt ?? 1;
  let balanceBefore: number;
  try {
    balanceBefore = (await deps.pos.getBalance(posCustomerId)).points;
  } catch (error) {
    // Nothing was sent yet: a read that timed out is a definite "not refunded".
    if (error instanceof PosTimeout) throw new PosUnavailable(error.message, { cause: error });
    throw error;
  }
  const first = await deps.cancellations.markRefundStarted(
    state.code,
    state.cancellationId,
    attempt,
    deps.now(),
    balanceBefore,
  );
  if (!first) {
    throw new PosOutcomeUnknown("A refund attempt was already recorded for this coupon; reconciling instead");
  }
  try {
    const result = await deps.pos.addPoints(posCustomerId, state.points);
    // Persisted at once: another refund's reconciliation must see these ids as taken.
    await Promise.all([
      deps.coupons.updateCouponStatus(state.code, ["cancelling"], {
        refundTransactionHeadIds: result.transactionHeadIds,
      }),
      record(deps, state, {
        type: "points.refunded",
        outcome: "succeeded",
        detail: `${state.points} points added back, balance now ${result.balance}`,
        data: { points: state.points, attempt },
        smaregiTransactionHeadIds: result.transactionHeadIds,
      }),
    ]);
    return { balanceAfter: result.balance, transactionHeadIds: result.transactionHeadIds };
  } catch (error) {
    await record(deps, state, {
      type: "points.refunded",
      outcome: error instanceof PosOutcomeUnknown ? "unknown" : "failed",
      detail: messageOf(error),
      data: { points: state.points, attempt },
    });
    throw error;
  }
}

/**
 * Decides from the POS whether the refund happened, by the one rule of `pos/evidence`: an addition
 * of exactly the points since the first attempt began, owned by no other record, means it did;
 * none, once the first attempt can no longer land, means it did not; more than one cannot be told
 * apart (and after two attempts may be a double refund), so it is unknown. Too early to tell is
 * `pending`: the state machine waits and asks again.
 */
export async function reconcileRefund(
  deps: StepNeeds<"audit" | "cancellations" | "claimed" | "clockSkewMs" | "now" | "refundSettleMs"> &
    ReadsPos,
  state: CancellationState,
): Promise<RefundReconciled> {
  const posCustomerId = requirePosCustomer(state);
  const decide = async (result: RefundReconciled) => {
    await record(deps, state, {
      type: "refund.reconciled",
      outcome: result.outcome === "unknown" || result.outcome === "pending" ? "unknown" : "succeeded",
      detail: `${result.outcome}: ${result.reason}`,
      ...(result.transactionHeadIds ? { smaregiTransactionHeadIds: result.transactionHeadIds } : {}),
    });
    return result;
  };
  const guard = await deps.cancellations.refundGuardOf(state.code);
  if (!guard?.refundStartedAt || guard.cancellationId !== state.cancellationId) {
    return decide({ outcome: "not_applied", reason: "no refund was ever sent" });
  }
  const attempts = guard.refundAttempts ?? 1;
  const evidence = await findPointChange(deps, {
    posCustomerId,
    customerId: state.customerId,
    owner: { kind: "coupon", id: state.code },
    direction: "addition",
    points: state.points,
    startedAt: new Date(guard.refundStartedAt),
    settleMs: deps.refundSettleMs ?? 30_000,
    clockSkewMs: deps.clockSkewMs,
    window: "since_first_attempt",
    balanceBefore: guard.refundBalanceBefore,
    ownerLabel: `ours after ${attempts} attempt(s), the points may have been refunded twice`,
  });
  const result = reconciledFrom(evidence);
  return decide(
    result.outcome === "not_applied"
      ? { ...result, reason: `${result.reason} after ${attempts} attempt(s)` }
      : result,
  );
}

/** Points are back: the coupon is cancelled, for the record and for the admin waiting on the API. */
export async function completeCancellation(
  deps: StepNeeds<"audit" | "cancellations" | "coupons" | "now">,
  state: CancellationState,
) {
  const refund = state.refund ?? {
    balanceAfter: state.reconciliation?.balanceAfter,
    transactionHeadIds: state.reconciliation?.transactionHeadIds ?? [],
  };
  let cancelledAt = deps.now().toISOString();
  try {
    await deps.coupons.updateCouponStatus(state.code, ["cancelling"], {
      status: "cancelled",
      cancelledAt,
      cancelledBy: state.cancelledBy,
      cancelReason: state.reason,
      cancelNote: state.note,
      refundTransactionHeadIds: refund.transactionHeadIds,
    });
  } catch (error) {
    // A retry after the write landed: keep the first answer.
    if (!(error instanceof CouponStatusConflict && error.currentStatus === "cancelled")) throw error;
    cancelledAt = (await deps.coupons.getCoupon(state.code))?.cancelledAt ?? cancelledAt;
  }
  await deps.cancellations.updateCancellation(state.cancellationId, ["running", "cancelled"], {
    status: "cancelled",
    cancelledAt,
    refundedPoints: state.points,
    balanceAfter: refund.balanceAfter,
    refundTransactionHeadIds: refund.transactionHeadIds,
  });
  await record(deps, state, {
    type: "coupon.cancelled",
    outcome: "succeeded",
    detail: `cancelled by ${state.cancelledBy} (${state.reason}); ${state.points} points refunded`,
    data: {
      cancelledBy: state.cancelledBy,
      reason: state.reason,
      note: state.note ?? null,
      refundedPoints: state.points,
    },
    smaregiTransactionHeadIds: refund.transactionHeadIds,
    withDiscountId: true,
  });
  return { status: "cancelled" as const, cancelledAt };
}

/** The customer's metafield record: status only, since the customer can read it (no admin, no note). */
export async function saveCancelledRecord(deps: StepNeeds<"audit" | "records">, state: CancellationState) {
  await deps.records.upsert(state.customerGid, {
    code: state.code,
    amount: state.amount,
    currency: state.currency,
    points_used: state.points,
    created_at: state.couponStartsAt,
    expires_at: state.couponExpiresAt,
    status: "cancelled",
    discount_id: state.discountId,
    conversion_id: state.conversionId,
  });
  await record(deps, state, {
    type: "coupon_record.saved",
    outcome: "succeeded",
    detail: "status cancelled",
  });
  return { saved: true as const };
}

export async function reportRecordNotSaved(deps: StepNeeds<"alerts" | "audit">, state: CancellationState) {
  const detail = causeMessage(state.recordError);
  await record(deps, state, {
    type: "coupon_record.saved",
    outcome: "failed",
    detail: `the customer's coupon record still shows the coupon; the cancellation stands (${detail})`,
  });
  await deps.alerts.raise("coupon_record_not_saved", "A cancelled coupon's record could not be updated", {
    cancellationId: state.cancellationId,
    customerId: state.customerId,
    code: state.code,
    error: detail,
  });
  return { alerted: true as const };
}

export async function notifyCustomer(
  deps: StepNeeds<"audit" | "customers" | "defaultLocale" | "notices">,
  state: CancellationState,
) {
  const customer = await deps.customers.getCustomer(state.customerGid);
  if (!customer?.email) {
    await record(deps, state, {
      type: "customer.notified",
      outcome: "skipped",
      detail: "the customer has no email address in Shopify",
    });
    return { sent: false as const };
  }
  const locale = noticeLocaleOf(customer.locale, deps.defaultLocale);
  const messageId = await deps.notices.sendCouponCancelled({
    to: customer.email,
    locale,
    customerName: [customer.lastName, customer.firstName].some(Boolean) ? customer.displayName : null,
    code: state.code,
    refundedPoints: state.points,
  });
  // The address stays out of the trail: the customer id and message id find it.
  await record(deps, state, {
    type: "customer.notified",
    outcome: "succeeded",
    detail: `cancellation email (${locale}) sent`,
    data: { messageId, locale },
  });
  return { sent: true as const, messageId, locale };
}

export async function reportEmailNotSent(deps: StepNeeds<"alerts" | "audit">, state: CancellationState) {
  const detail = causeMessage(state.noticeError);
  await record(deps, state, {
    type: "customer.notified",
    outcome: "failed",
    detail: `the cancellation email was not sent; the cancellation stands (${detail})`,
  });
  await deps.alerts.raise("email_not_sent", "A customer was not told that their coupon was cancelled", {
    cancellationId: state.cancellationId,
    customerId: state.customerId,
    code: state.code,
    error: detail,
  });
  return { alerted: true as const };
}

const failureCodes: Record<string, string> = {
  NotRegistered: "not_registered",
  PosUnavailable: "pos_unavailable",
  PosTimeout: "pos_unavailable",
  ShopifyUnavailable: "shopify_unavailable",
  ShopifyRejected: "shopify_rejected",
  CouponNotHeld: "cancellation_conflict",
  DiscountCodeMissing: "discount_not_found",
  DiscountStillActive: "discount_still_active",
};

export function failureOf(state: CancellationState): { code: string; detail: string } {
  const name = state.error?.Error ?? "Unknown";
  return { code: failureCodes[name] ?? "cancellation_failed", detail: causeMessage(state.error) };
}

/**
 * The Shopify side of giving a coupon back: `used` when a checkout redeemed it (the code is left as
 * it is); otherwise the code is live again (`live`), unless the coupon is past its end (`past_end`,
 * left as it is) or Shopify has no code (`missing`).
 */
export async function giveCodeBack(
  deps: Pick<CancellationDependencies, "discounts" | "now">,
  order: Pick<CancellationOrder, "code" | "couponExpiresAt">,
  coupon: CouponRecord | undefined,
): Promise<"used" | "live" | "past_end" | "missing"> {
  const discount = await deps.discounts.findDiscountByCode(order.code);
  if ((discount && discount.asyncUsageCount > 0) || coupon?.orderId !== undefined) return "used";
  if (!discount) return "missing";
  if (new Date(order.couponExpiresAt) <= deps.now()) return "past_end";
  await deps.discounts.reinstateDiscount(discount, {
    startsAt: coupon?.startsAt ?? discount.startsAt,
    endsAt: order.couponExpiresAt,
  });
  return "live";
}

/**
 * Gives the coupon back after a cancellation that refunded nothing (a step before the refund
 * failed, or the POS certainly refused the refund): the code live again unless it was used, the
 * record `active`. Touches nothing when another cancellation holds the coupon.
 */
export async function restoreCoupon(
  deps: StepNeeds<"audit" | "cancellations" | "coupons" | "discounts" | "now">,
  state: CancellationState,
) {
  const failure = failureOf(state);
  const { coupon, held } = await requireHeld(deps, state);
  let restored = "nothing to give back: this cancellation does not hold the coupon";
  if (held) {
    const code = await giveCodeBack(deps, state, coupon);
    if (code === "used") {
      await deps.coupons.updateCouponStatus(state.code, ["cancelling"], {
        status: "used",
        usedAt: deps.now().toISOString(),
      });
      restored = "the coupon turned out to be used; marked used, nothing refunded";
    } else {
      await deps.cancellations.releaseCoupon(state.code, state.cancellationId);
      restored =
        code === "missing"
          ? "the coupon is active again (no Shopify code found)"
          : "the code is active again";
    }
  }
  await deps.cancellations.updateCancellation(state.cancellationId, ["running", "failed"], {
    status: "failed",
    failure,
  });
  await record(deps, state, {
    type: "cancellation.failed",
    outcome: "failed",
    detail: `${failure.code}: ${failure.detail}; ${restored}`,
    withDiscountId: true,
  });
  return { failure, restored };
}

function reviewReasonOf(state: CancellationState): string {
  if (state.restoreError) {
    return `the coupon could not be given back after ${failureOf(state).code} (${causeMessage(state.restoreError)})`;
  }
  if (state.completionError) {
    return `points were refunded but the cancellation could not be recorded (${causeMessage(state.completionError)})`;
  }
  // Checked before an earlier attempt's reconciliation: the latest reading failed.
  if (state.reconcileError) {
    return `refund outcome unknown and the POS could not be read: ${causeMessage(state.reconcileError)}`;
  }
  if (state.reconciliation?.outcome === "unknown")
    return `refund outcome unknown: ${state.reconciliation.reason}`;
  if (state.reconciliation?.outcome === "not_applied") {
    return `the refund was not applied after ${state.refundAttempt ?? 1} attempt(s): ${state.reconciliation.reason}`;
  }
  if (state.error?.Error === "PosDeclined")
    return `the store declined the refund: ${causeMessage(state.error)}`;
  if (state.error?.Error === "PosUnavailable") {
    return `the second refund attempt was refused by the store: ${causeMessage(state.error)}`;
  }
  return `refund outcome unknown: ${causeMessage(state.error)}`;
}

/** Neither finished nor safely undone: keep the code inactive, record why, tell the admins. */
export async function parkForReview(
  deps: StepNeeds<"alerts" | "audit" | "cancellations" | "coupons">,
  state: CancellationState,
) {
  const reason = reviewReasonOf(state);
  try {
    await deps.coupons.updateCouponStatus(state.code, ["cancelling"], { status: "inactive" });
  } catch (error) {
    // Another outcome reached the coupon first (e.g. it was cancelled): leave it as it is.
    if (!(error instanceof CouponStatusConflict)) throw error;
  }
  await deps.cancellations.updateCancellation(state.cancellationId, ["running", "needs_review"], {
    status: "needs_review",
    reviewReason: reason,
  });
  await record(deps, state, { type: "cancellation.needs_review", outcome: "unknown", detail: reason });
  await deps.alerts.raise("needs_review", reason, {
    cancellationId: state.cancellationId,
    customerId: state.customerId,
    code: state.code,
    points: state.points,
    cancelledBy: state.cancelledBy,
  });
  return { reason };
}
