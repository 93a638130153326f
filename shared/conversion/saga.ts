import { InsufficientPoints, PosOutcomeUnknown, ShopifyRejected, ShopifyUnavailable } from "../errors";
import type { AdminAlerts, CustomerCouponRecords } from "../ports";
import { type ClaimedTransactions, findPointChange, type Reconciled, reconciledFrom } from "../pos/evidence";
import type { PointsLedger, PointsReader } from "../pos/ports";
import type { IssuedReward } from "../rewards/coupon";
import { discountSpecOf, usageOf } from "../rewards/discount";
import { AuditOutboxCouponHandoff, type CouponHandoff } from "../rewards/handoff";
import type { DiscountCodeChanges, DiscountCodeSpec, DiscountCodes } from "../shopify/ports";
import { type CaughtError, causeMessage } from "../step-functions";
import {
  type AuditOutcome,
  type AuditTrail,
  type ConversionCompletion,
  type ConversionStatus,
  type ConversionStore,
  type CouponStore,
  DuplicateAuditEvent,
  type NewAuditEvent,
  type NewCoupon,
} from "../store";

/**
 * The task steps of the conversion saga (state-machines/convert-points.asl.json). Each step is
 * safe to run again with the same input, except the deduction, which guards itself with a
 * conditional write so that even a re-run never takes points twice.
 */

export interface ConversionOrder {
  conversionId: string;
  customerId: string;
  customerGid: string;
  memberNumber: string;
  points: number;
  amount: number;
  currency: string;
  code: string;
  startsAt: string;
  expiresAt: string;
  shopDate: string;
  /** Conversions by reward: the rule, and its snapshot taken at reservation. */
  rewardId?: string;
  reward?: IssuedReward;
}

export interface BalanceChecked {
  posCustomerId: string;
  balance: number;
  expiresOn: string | null;
}

export interface CouponCreated {
  discountId: string;
  adopted: boolean;
  /**
   * When the coupon came to exist. The trail's entry for it is written by the steps after
   * CreateCoupon (see `recordCreation`), with this instant; absent in runs that wrote it at once.
   */
  createdAt?: string;
}

export interface PointsDeducted {
  balanceAfter: number;
  transactionHeadIds: string[];
}

export type DeductionReconciled = Reconciled;

export type { CaughtError };

export interface SagaState extends ConversionOrder {
  prepared?: { balance: BalanceChecked; coupon: CouponCreated };
  deduction?: PointsDeducted;
  reconciliation?: DeductionReconciled;
  discard?: CouponDiscarded;
  sweep?: LateCouponSweep;
  /** ReturnLateDeduction's answer (`late-deduction.ts`). */
  lateDeduction?: { found: string; transactionHeadId?: string; returned?: string };
  error?: CaughtError;
  compensationError?: CaughtError;
  /** Set when ParkForReview's retries could not deactivate the coupon; it then parks anyway. */
  deactivationError?: CaughtError;
}

export interface CouponDiscarded {
  deleted: boolean;
  /**
   * Until when a creation attempt whose answer was lost may still make the code (a timed-out
   * request can land late): SweepLateCoupon looks for it again then. Absent for handed-off coupons.
   */
  lateUntil?: string;
}

/** SweepLateCoupon's answer: too early (wait `waitSeconds`, then again), or looked. */
export type LateCouponSweep = { pending: true; waitSeconds: number } | { deleted: boolean };

export interface AuditEntry {
  conversionId: string;
  code?: string;
  type: string;
  outcome: AuditOutcome;
  detail?: string;
  shopifyDiscountId?: string;
  smaregiTransactionHeadIds?: string[];
  /** When it happened, if written later than that; now by default. */
  at?: Date;
  /** For an entry more than one step may write: the second write is refused as a duplicate. */
  eventId?: string;
}

/** What one step uses of the saga's dependencies: each task function is built with only that. */
export type StepNeeds<K extends keyof SagaDependencies> = Pick<SagaDependencies, K>;

/** What a step that only reads the POS needs of it: the point change stays out of its function. */
export type ReadsPos = { pos: PointsReader };

export interface SagaDependencies {
  pos: PointsLedger;
  /** CreateCoupon's: the only step that creates a code. */
  discountIssuer: Pick<DiscountCodes, "createDiscountCode">;
  /** The steps that look for, deactivate or delete the code. */
  discounts: DiscountCodeChanges;
  records: CustomerCouponRecords;
  conversions: Pick<ConversionStore, "getConversion" | "updateConversion" | "releaseReservation">;
  /** DeductPoints' and ConfirmConversion's: a first completion in one write. */
  completion: ConversionCompletion;
  coupons: Pick<CouponStore, "putCoupon">;
  /** POS transactions other records own, never taken for a lost deduction. */
  claimed: ClaimedTransactions;
  audit: Pick<AuditTrail, "appendAuditEvent">;
  alerts: AdminAlerts;
  /** Where `custom` rewards' coupons go; the audit-table outbox when not given. */
  couponHandoff?: CouponHandoff;
  now: () => Date;
  /** How far before the recorded start a POS transaction may be stamped (clock skew). */
  clockSkewMs?: number;
  /**
   * How long after a deduction attempt its request may still reach the POS (a timed-out request
   * can land late). "Not applied" is only concluded after this; twice the write timeout is safe.
   */
  deductionSettleMs?: number;
  /**
   * How long after the compensation began a coupon creation may still land at Shopify (a timed-out
   * request can land late): twice the Shopify timeout. SweepLateCoupon looks for the code again then.
   */
  creationSettleMs?: number;
}

/** Appends a step's event under the conversion and, once it has one, its coupon. */
async function record(deps: Pick<SagaDependencies, "audit">, entry: AuditEntry): Promise<void> {
  await deps.audit.appendAuditEvent(auditEventOf(entry));
}

/** A step's entry as the trail records it. */
function auditEventOf(entry: AuditEntry): NewAuditEvent {
  const smaregi = entry.smaregiTransactionHeadIds;
  return {
    subject: { type: "conversion", id: entry.conversionId },
    ...(entry.code ? { relatedSubjects: [{ type: "coupon" as const, id: entry.code }] } : {}),
    type: entry.type,
    actor: { kind: "system", id: "convert-points" },
    outcome: entry.outcome,
    ...(entry.detail ? { detail: entry.detail } : {}),
    ...(entry.at ? { at: entry.at.toISOString() } : {}),
    ...(entry.eventId ? { eventId: entry.eventId } : {}),
    ...(entry.shopifyDiscountId || smaregi
      ? {
          externalIds: {
            ...(entry.shopifyDiscountId ? { shopifyDiscountId: entry.shopifyDiscountId } : {}),
            ...(smaregi ? { smaregiTransactionHeadIds: smaregi } : {}),
          },
        }
      : {}),
  };
}

/** Frees the customer's lease; gives back the day's allowance when nothing was deducted. */
async function release(
  deps: StepNeeds<"audit" | "conversions" | "couponHandoff">,
  order: ConversionOrder,
  refundDailyPoints: boolean,
) {
  await deps.conversions.releaseReservation(
    order.conversionId,
    order.customerId,
    refundDailyPoints ? { refundDailyPoints: { shopDate: order.shopDate, points: order.points } } : {},
  );
}

const couponTitle = (order: ConversionOrder) =>
  order.reward
    ? `Loyalty reward ${order.reward.name.en.slice(0, 100)} (${order.points} points) #${order.conversionId}`
    : `Loyalty reward ${order.points} points #${order.conversionId}`;

/** A custom reward's coupon has no Shopify discount; records name its handoff instead. */
const handedOffId = (order: ConversionOrder) => `custom:${order.conversionId}`;

const isHandedOff = (order: ConversionOrder): order is ConversionOrder & { reward: IssuedReward } =>
  order.reward?.coupon.type === "custom";

const handoffOf = (deps: StepNeeds<"audit" | "couponHandoff">) =>
  deps.couponHandoff ?? new AuditOutboxCouponHandoff(deps.audit);

/** The coupon record's type and rule, for every step that writes one. */
const couponKind = (order: ConversionOrder) => ({
  type: order.reward?.coupon.type ?? "fixed_discount",
  ...(order.rewardId !== undefined ? { rewardId: order.rewardId } : {}),
});

function discountSpecFor(order: ConversionOrder): DiscountCodeSpec {
  if (order.reward) {
    return discountSpecOf(
      {
        code: order.code,
        title: couponTitle(order),
        marker: order.conversionId,
        customerGid: order.customerGid,
        startsAt: order.startsAt,
        expiresAt: order.expiresAt,
        amount: order.amount,
        currency: order.currency,
      },
      order.reward,
    );
  }
  // Seed rules: usable once, by this customer only, no minimum purchase, not combined with others.
  return {
    code: order.code,
    title: couponTitle(order),
    marker: order.conversionId,
    customerGid: order.customerGid,
    value: { kind: "fixed_amount", amount: order.amount, currency: order.currency },
    startsAt: order.startsAt,
    endsAt: order.expiresAt,
    usageLimit: 1,
    appliesOncePerCustomer: true,
    combinesWith: { orderDiscounts: false, productDiscounts: false, shippingDiscounts: false },
  };
}

export async function checkBalance(
  deps: StepNeeds<"audit" | "conversions"> & ReadsPos,
  order: ConversionOrder,
): Promise<BalanceChecked> {
  const member = await deps.pos.findMember(order.memberNumber);
  const { points, expiresOn } = await deps.pos.getBalance(member.customerId);
  if (points < order.points) {
    await record(deps, {
      conversionId: order.conversionId,
      type: "balance.checked",
      outcome: "failed",
      detail: `balance ${points} < requested ${order.points}`,
    });
    throw new InsufficientPoints(`You have ${points} points; ${order.points} are needed for this coupon`);
  }
  await deps.conversions.updateConversion(order.conversionId, ["reserved"], {
    posCustomerId: member.customerId,
    balanceBefore: points,
  });
  await record(deps, {
    conversionId: order.conversionId,
    type: "balance.checked",
    outcome: "succeeded",
    detail: `balance ${points}`,
  });
  return { posCustomerId: member.customerId, balance: points, expiresOn };
}

export async function createCoupon(
  deps: StepNeeds<"audit" | "couponHandoff" | "discountIssuer" | "now">,
  order: ConversionOrder,
): Promise<CouponCreated> {
  if (isHandedOff(order)) {
    // In the place of the discount's creation: a failed handoff is compensated like a failed create.
    await handoffOf(deps).issued({
      schemaVersion: 1,
      code: order.code,
      conversionId: order.conversionId,
      customerId: order.customerId,
      customerGid: order.customerGid,
      rewardId: order.reward.rewardId,
      rewardVersion: order.reward.version,
      rewardName: order.reward.name,
      points: order.points,
      amount: order.amount,
      currency: order.currency,
      startsAt: order.startsAt,
      expiresAt: order.expiresAt,
      usageLimit: usageOf(order.reward.coupon).usageLimit,
      coupon: order.reward.coupon,
      issuedAt: order.reward.issuedAt,
    });
    return { discountId: handedOffId(order), adopted: false, createdAt: deps.now().toISOString() };
  }
  const created = await deps.discountIssuer.createDiscountCode(discountSpecFor(order));
  return { discountId: created.discountId, adopted: created.adopted, createdAt: deps.now().toISOString() };
}

/**
 * The trail's entry for the coupon's creation. CreateCoupon returns as soon as the coupon exists,
 * since the deduction waits for it; DeductPoints writes the entry while the POS takes the points,
 * and every step that may follow without it (DiscardCoupon, ConfirmConversion after a
 * reconciliation, ParkForReview) writes it first. It carries the creation's instant and one id per
 * conversion, so it is written once, in its place in the trail, whichever step gets there.
 */
async function recordCreation(deps: StepNeeds<"audit">, state: SagaState): Promise<void> {
  const coupon = state.prepared?.coupon;
  if (coupon?.createdAt === undefined) return;
  const handedOff = isHandedOff(state);
  await recordOnce(deps, {
    conversionId: state.conversionId,
    code: state.code,
    type: "coupon.created",
    outcome: "succeeded",
    detail: handedOff
      ? "handed to the merchant's integration (loyalty.coupon.issued)"
      : coupon.adopted
        ? "adopted the code created by an earlier attempt"
        : undefined,
    ...(handedOff ? {} : { shopifyDiscountId: coupon.discountId }),
    at: new Date(coupon.createdAt),
    eventId: `coupon-created-${state.conversionId}`,
  });
}

/** An entry more than one step (or a repeated step) may write: written once, the rest ignored. */
export async function recordOnce(
  deps: StepNeeds<"audit">,
  entry: AuditEntry & { eventId: string },
): Promise<void> {
  try {
    await record(deps, entry);
  } catch (error) {
    if (!(error instanceof DuplicateAuditEvent)) throw error;
  }
}

function requirePrepared(state: SagaState) {
  if (!state.prepared)
    throw new Error(`Conversion ${state.conversionId} reached a later step without its balance check`);
  return state.prepared;
}

/**
 * The one irreversible step. The conditional "deduction started" write comes first, so a second
 * run of this step (a redrive, an operator's mistake) goes to reconciliation instead of deducting.
 * Once the POS has taken the points the conversion is complete, so this step completes it at once
 * (`complete`): the customer's answer waits for no further state. Should those writes fail, the
 * error sends the saga to reconciliation, which finds the points taken and completes it there.
 */
export async function deductPoints(
  deps: StepNeeds<"audit" | "completion" | "conversions" | "couponHandoff" | "coupons" | "now" | "pos">,
  state: SagaState,
): Promise<PointsDeducted> {
  const { balance } = requirePrepared(state);
  const first = await deps.completion.markDeductionStarted(state.conversionId, deps.now());
  if (!first) {
    throw new PosOutcomeUnknown("A deduction was already attempted for this conversion; reconciling instead");
  }
  let creation: Promise<void> = Promise.resolve();
  let result: Awaited<ReturnType<PointsLedger["addPoints"]>>;
  try {
    const answer = deps.pos.addPoints(balance.posCustomerId, -state.points);
    // The coupon's creation goes on the trail while the POS works.
    creation = recordCreation(deps, state);
    creation.catch(() => undefined);
    result = await answer;
  } catch (error) {
    // Whichever step comes next writes the creation's entry if this one could not.
    await creation.catch(() => undefined);
    await record(deps, {
      conversionId: state.conversionId,
      code: state.code,
      type: "points.deducted",
      outcome: error instanceof PosOutcomeUnknown ? "unknown" : "failed",
      detail: error instanceof Error ? `${error.name}: ${error.message}` : String(error),
    });
    throw error;
  }
  const deduction: PointsDeducted = {
    balanceAfter: result.balance,
    transactionHeadIds: result.transactionHeadIds,
  };
  // Stamped with the instant the POS answered; recorded with the completion.
  const deducted = {
    conversionId: state.conversionId,
    code: state.code,
    type: "points.deducted",
    outcome: "succeeded",
    detail: `${state.points} points, balance now ${result.balance}`,
    smaregiTransactionHeadIds: result.transactionHeadIds,
    at: deps.now(),
    eventId: `points-deducted-${state.conversionId}`,
  } as const;
  try {
    await complete(deps, state, deduction, [deducted]);
  } catch (error) {
    // Reconciliation completes it; the trail still says the coupon was made and the points taken.
    await creation.catch(() => recordCreation(deps, state)).catch(() => undefined);
    await recordOnce(deps, deducted).catch(() => undefined);
    throw error;
  }
  // Written while the POS worked, or tried once more now; should that fail too, the step fails
  // and reconciliation's `ConfirmConversion` (retried) writes it.
  await creation.catch(() => recordCreation(deps, state));
  return deduction;
}

/**
 * Decides from the POS whether an attempted deduction happened, by the one rule of
 * `pos/evidence`: a subtraction of exactly the points while the attempt could land, owned by no
 * other record, means it did; none, once it can no longer land, means it did not; anything else is
 * unknown. Too early to tell is `pending`: the state machine waits and asks again.
 */
export async function reconcileDeduction(
  deps: StepNeeds<"audit" | "claimed" | "clockSkewMs" | "conversions" | "deductionSettleMs" | "now"> &
    ReadsPos,
  state: SagaState,
): Promise<DeductionReconciled> {
  const { balance } = requirePrepared(state);
  const stored = await deps.conversions.getConversion(state.conversionId);
  const decide = async (result: DeductionReconciled) => {
    await record(deps, {
      conversionId: state.conversionId,
      code: state.code,
      type: "deduction.reconciled",
      outcome: result.outcome === "unknown" || result.outcome === "pending" ? "unknown" : "succeeded",
      detail: `${result.outcome}: ${result.reason}`,
      smaregiTransactionHeadIds: result.transactionHeadIds,
    });
    return result;
  };
  if (!stored?.deductionStartedAt) {
    return decide({ outcome: "not_applied", reason: "no deduction was ever sent" });
  }
  const evidence = await findPointChange(deps, {
    posCustomerId: balance.posCustomerId,
    customerId: state.customerId,
    owner: { kind: "conversion", id: state.conversionId },
    direction: "subtraction",
    points: state.points,
    startedAt: new Date(stored.deductionStartedAt),
    settleMs: deps.deductionSettleMs ?? 30_000,
    clockSkewMs: deps.clockSkewMs,
    window: "attempt",
    balanceBefore: balance.balance,
    ownerLabel: "ours",
  });
  // Pending: too early to rule out a request still on its way; the state machine reads again once
  // it cannot arrive anymore. Unknown: points may have left the account for this deduction, and
  // compensating would take them without a coupon, so an operator must look.
  return decide(reconciledFrom(evidence));
}

/** Compensation: removes this conversion's code from Shopify if it exists. */
export async function discardCoupon(
  deps: StepNeeds<"audit" | "couponHandoff" | "creationSettleMs" | "discounts" | "now">,
  state: SagaState,
): Promise<CouponDiscarded> {
  // Every creation attempt began before this step: none can land after this instant.
  const lateUntil = new Date(deps.now().getTime() + (deps.creationSettleMs ?? 20_000)).toISOString();
  await recordCreation(deps, state);
  if (isHandedOff(state)) {
    // Sent whether or not the handoff got through: "revoke this conversion's coupon, if any".
    await handoffOf(deps).revoked(revocationOf(deps, state, "compensated"));
    await record(deps, {
      conversionId: state.conversionId,
      code: state.code,
      type: "coupon.discarded",
      outcome: "succeeded",
      detail: "the merchant's integration was told to revoke the coupon (loyalty.coupon.revoked)",
    });
    return { deleted: true };
  }
  // CreateCoupon returned this code's discount: it is deleted by its id, which needs no lookup by
  // code (a lookup Shopify may be failing). Deleting an id that is gone succeeds.
  const created = state.prepared?.coupon.discountId;
  if (created !== undefined) {
    await deps.discounts.deleteDiscount(created);
    await record(deps, {
      conversionId: state.conversionId,
      code: state.code,
      type: "coupon.discarded",
      outcome: "succeeded",
      detail: "the coupon was deleted (or an earlier attempt of this step had deleted it)",
      shopifyDiscountId: created,
    });
    return { deleted: true, lateUntil };
  }
  // A creation whose answer was lost may still have made the code: look it up by code.
  const deleted = await deps.discounts.deleteDiscountByCode(state.code, state.conversionId);
  await record(deps, {
    conversionId: state.conversionId,
    code: state.code,
    type: "coupon.discarded",
    outcome: deleted ? "succeeded" : "skipped",
    detail: deleted ? "the coupon was deleted" : "no coupon existed for this conversion",
  });
  return { deleted, lateUntil };
}

/**
 * After the compensation: a creation attempt whose answer was lost can reach Shopify after the
 * code was deleted (or looked for), and would then make it again, live, for a conversion whose
 * points were never taken. Once no attempt can land any more, the code is looked up once more and
 * deleted if it exists. Until then the step answers `pending` and the state machine waits.
 */
export async function sweepLateCoupon(
  deps: StepNeeds<"audit" | "discounts" | "now">,
  state: SagaState,
): Promise<LateCouponSweep> {
  const lateUntil = state.discard?.lateUntil;
  if (lateUntil === undefined) return { deleted: false };
  const leftMs = Date.parse(lateUntil) - deps.now().getTime();
  if (leftMs > 0) return { pending: true, waitSeconds: Math.ceil(leftMs / 1000) };
  const deleted = await deps.discounts.deleteDiscountByCode(state.code, state.conversionId);
  if (deleted) {
    await record(deps, {
      conversionId: state.conversionId,
      code: state.code,
      type: "coupon.discarded",
      outcome: "succeeded",
      detail:
        "a creation that reached Shopify after the compensation had made the code again; it was deleted",
    });
  }
  return { deleted };
}

const failureCodes: Record<string, string> = {
  InsufficientPoints: "insufficient_points",
  PosDeclined: "insufficient_points",
  NotRegistered: "not_registered",
  PosUnavailable: "pos_unavailable",
  PosTimeout: "pos_unavailable",
  PosOutcomeUnknown: "pos_unavailable",
  ShopifyUnavailable: "shopify_unavailable",
  ShopifyRejected: "shopify_rejected",
};

export function failureOf(state: SagaState): { code: string; detail: string } {
  if (state.reconciliation?.outcome === "not_applied") {
    return {
      code: "pos_unavailable",
      detail: "The store's point system did not take the points; please try again",
    };
  }
  const name = state.error?.Error ?? "Unknown";
  return { code: failureCodes[name] ?? "conversion_failed", detail: causeMessage(state.error) };
}

export async function failConversion(
  deps: StepNeeds<"audit" | "conversions" | "couponHandoff">,
  state: SagaState,
): Promise<{ status: ConversionStatus }> {
  const failure = failureOf(state);
  const status: ConversionStatus = state.discard?.deleted ? "compensated" : "failed";
  // Nothing was deducted on any path into this step, so the day's allowance goes back too. Freed
  // before the status the API answers with, as a completion is (`complete`): a customer told of the
  // failure who tries again at once is never met with "conversion in progress".
  await release(deps, state, true);
  await deps.conversions.updateConversion(state.conversionId, ["reserved", status], { status, failure });
  await record(deps, {
    conversionId: state.conversionId,
    code: state.code,
    type: "conversion.failed",
    outcome: "failed",
    detail: `${failure.code}: ${failure.detail}`,
  });
  return { status };
}

function revocationOf(
  deps: StepNeeds<"now">,
  state: SagaState & { reward: IssuedReward },
  reason: "compensated" | "needs_review",
) {
  return {
    schemaVersion: 1 as const,
    code: state.code,
    conversionId: state.conversionId,
    customerId: state.customerId,
    rewardId: state.reward.rewardId,
    reason,
    revokedAt: deps.now().toISOString(),
  };
}

/** Keeps the coupon unusable while an operator looks: deactivates the code, or revokes the handoff. */
async function suspendCoupon(
  deps: StepNeeds<"audit" | "couponHandoff" | "discounts" | "now">,
  state: SagaState,
): Promise<{ discountId: string | undefined; deactivation: string; live?: true }> {
  if (isHandedOff(state)) {
    try {
      await handoffOf(deps).revoked(revocationOf(deps, state, "needs_review"));
      return {
        discountId: handedOffId(state),
        deactivation: "the merchant's integration was told to revoke the coupon",
      };
    } catch (error) {
      return {
        discountId: handedOffId(state),
        deactivation: `the revocation could NOT be handed off (${error instanceof Error ? error.message : String(error)})`,
      };
    }
  }
  try {
    // By the id CreateCoupon returned, which needs no lookup by code (a lookup Shopify may be
    // failing); a code already ended or gone is then looked up, which tells which it is.
    const known = state.prepared?.coupon.discountId;
    if (known !== undefined) {
      const ended = await deps.discounts.deactivateDiscount(known).then(
        () => true,
        (error: unknown) => {
          if (error instanceof ShopifyRejected) return false;
          throw error;
        },
      );
      if (ended) return { discountId: known, deactivation: "the coupon was deactivated" };
    }
    const discountId = await deps.discounts.deactivateDiscountByCode(state.code, state.conversionId);
    return {
      discountId,
      deactivation: discountId ? "the coupon was deactivated" : "no coupon exists for this conversion",
    };
  } catch (error) {
    // A code left ACTIVE is a live discount no points may have paid for (random and not shown to
    // the customer yet, but listed in the Shopify admin and usable by whoever reads it). Nothing is recorded yet, so the state machine retries this
    // step while Shopify is unavailable; once its retries are spent it runs the step again with
    // `deactivationError` set, which parks the conversion and tells the admins the code is live.
    if (error instanceof ShopifyUnavailable && !state.deactivationError) throw error;
    return {
      discountId: undefined,
      deactivation: `the coupon could NOT be deactivated (${error instanceof Error ? error.message : String(error)}); the reconciler keeps trying`,
      live: true,
    };
  }
}

function reviewReasonOf(state: SagaState): string {
  if (state.compensationError) {
    return `compensation failed: the coupon could not be deleted after ${failureOf(state).code} (${causeMessage(state.compensationError)})`;
  }
  if (state.reconciliation?.outcome === "unknown")
    return `deduction outcome unknown: ${state.reconciliation.reason}`;
  return `deduction outcome unknown and the POS could not be read: ${causeMessage(state.error)}`;
}

/** Keeps the coupon inactive, records why, frees the customer and tells the admins. */
export async function parkForReview(
  deps: StepNeeds<"alerts" | "audit" | "conversions" | "couponHandoff" | "coupons" | "discounts" | "now">,
  state: SagaState,
): Promise<{ reason: string }> {
  await recordCreation(deps, state);
  const reason = reviewReasonOf(state);
  const { discountId, deactivation, live } = await suspendCoupon(deps, state);
  const knownDiscountId = discountId ?? state.prepared?.coupon.discountId;
  if (knownDiscountId) {
    await deps.coupons.putCoupon({
      code: state.code,
      conversionId: state.conversionId,
      customerId: state.customerId,
      customerGid: state.customerGid,
      discountId: knownDiscountId,
      amount: state.amount,
      currency: state.currency,
      pointsUsed: state.points,
      ...couponKind(state),
      status: "inactive",
      startsAt: state.startsAt,
      expiresAt: state.expiresAt,
    });
  }
  await deps.conversions.updateConversion(state.conversionId, ["reserved", "needs_review"], {
    status: "needs_review",
    reviewReason: `${reason}; ${deactivation}`,
    ...(live ? { couponLive: true } : {}),
  });
  // Points may be gone: keep the day's allowance used, but let the customer convert again.
  await release(deps, state, false);
  await record(deps, {
    conversionId: state.conversionId,
    code: state.code,
    type: "conversion.needs_review",
    outcome: "unknown",
    detail: `${reason}; ${deactivation}`,
    shopifyDiscountId: knownDiscountId,
  });
  await deps.alerts.raise(state.compensationError ? "compensation_failed" : "needs_review", reason, {
    conversionId: state.conversionId,
    customerId: state.customerId,
    code: state.code,
    points: state.points,
    deactivation,
  });
  return { reason };
}

/**
 * Points are taken and the coupon exists: completes a conversion that reconciliation found
 * deducted (DeductPoints completes its own). Each write is safe to repeat, so the state machine
 * retries the step.
 */
export async function confirmConversion(
  deps: StepNeeds<"audit" | "completion" | "conversions" | "couponHandoff" | "coupons" | "now">,
  state: SagaState,
): Promise<{ status: "completed" }> {
  const { balance } = requirePrepared(state);
  const deducted = state.deduction ?? {
    balanceAfter: state.reconciliation?.balanceAfter ?? balance.balance - state.points,
    transactionHeadIds: state.reconciliation?.transactionHeadIds ?? [],
  };
  // Reached without DeductPoints' answer (after a reconciliation): the creation's entry may be missing.
  if (state.deduction === undefined) await recordCreation(deps, state);
  await complete(deps, state, deducted);
  return { status: "completed" };
}

/**
 * A conversion whose points were taken: its coupon recorded live, the POS transaction stored, the
 * customer's lease freed, the status `completed` and the trail's entries. A first completion writes
 * them in one transaction (`completeConversion`), so the customer's answer waits for one write and
 * nobody reads `completed` before the trail says so. A repeat (an earlier attempt wrote some of
 * them) writes them one by one, each safe to repeat (the entries last), in the order
 * that keeps the same promises: the POS transaction is stored before the lease is freed, so that a
 * later conversion's reconciliation sees it as taken; the lease is freed before the status
 * changes, so that the customer never meets "conversion in progress" after seeing this one
 * complete.
 */
async function complete(
  deps: StepNeeds<"audit" | "completion" | "conversions" | "couponHandoff" | "coupons" | "now">,
  state: SagaState,
  deducted: PointsDeducted,
  /** The step's own trail entries, recorded with the completion's. */
  entries: ReadonlyArray<AuditEntry & { eventId: string }> = [],
): Promise<void> {
  const { balance, coupon } = requirePrepared(state);
  const record: NewCoupon = {
    code: state.code,
    conversionId: state.conversionId,
    customerId: state.customerId,
    customerGid: state.customerGid,
    discountId: coupon.discountId,
    amount: state.amount,
    currency: state.currency,
    pointsUsed: state.points,
    ...couponKind(state),
    status: "active",
    startsAt: state.startsAt,
    expiresAt: state.expiresAt,
  };
  const completed = {
    status: "completed",
    discountId: coupon.discountId,
    balanceBefore: balance.balance,
    balanceAfter: deducted.balanceAfter,
    transactionHeadIds: deducted.transactionHeadIds,
  } as const;
  // Written in the same instant as the step's own entries, often the same millisecond: stamped
  // after them, so that the trail, listed in time order, says the points were taken first.
  const stepped = Math.max(0, ...entries.map((entry) => (entry.at?.getTime() ?? 0) + 1));
  const trail = [
    ...entries,
    // Once per conversion, whether DeductPoints completed it or ConfirmConversion (again).
    {
      conversionId: state.conversionId,
      code: state.code,
      type: "conversion.completed",
      outcome: "succeeded",
      detail: `${state.points} points -> ${state.amount} ${state.currency} coupon`,
      shopifyDiscountId: coupon.discountId,
      smaregiTransactionHeadIds: deducted.transactionHeadIds,
      eventId: `conversion-completed-${state.conversionId}`,
      at: new Date(Math.max(deps.now().getTime(), stepped)),
    } as const,
  ];
  const atOnce = await deps.completion.completeConversion({
    conversionId: state.conversionId,
    customerId: state.customerId,
    coupon: record,
    patch: completed,
    trail: trail.map(auditEventOf),
  });
  if (atOnce) return;
  await Promise.all([
    deps.conversions.updateConversion(state.conversionId, ["reserved", "completed"], {
      transactionHeadIds: deducted.transactionHeadIds,
      balanceAfter: deducted.balanceAfter,
    }),
    deps.coupons.putCoupon(record),
  ]);
  await release(deps, state, false);
  await deps.conversions.updateConversion(state.conversionId, ["reserved", "completed"], completed);
  for (const entry of trail) await recordOnce(deps, entry);
}

export async function saveCouponRecord(
  deps: StepNeeds<"audit" | "conversions" | "records">,
  state: SagaState,
): Promise<{ saved: true }> {
  const { coupon } = requirePrepared(state);
  await deps.records.upsert(state.customerGid, {
    code: state.code,
    amount: state.amount,
    currency: state.currency,
    points_used: state.points,
    created_at: state.startsAt,
    expires_at: state.expiresAt,
    status: "active",
    discount_id: coupon.discountId,
    conversion_id: state.conversionId,
    ...(state.reward ? { type: state.reward.coupon.type, reward_id: state.reward.rewardId } : {}),
  });
  await deps.conversions.updateConversion(state.conversionId, ["completed"], { metafieldSaved: true });
  await record(deps, {
    conversionId: state.conversionId,
    code: state.code,
    type: "coupon_record.saved",
    outcome: "succeeded",
    shopifyDiscountId: coupon.discountId,
  });
  return { saved: true };
}

export async function reportRecordNotSaved(
  deps: StepNeeds<"alerts" | "audit">,
  state: SagaState,
): Promise<{ alerted: true }> {
  await recordNotSaved(deps, state, causeMessage(state.error));
  return { alerted: true };
}

/**
 * The customer's coupon record in Shopify could not be saved: the coupon stands, the trail says so
 * and the admins are alerted. Also used when staff resolve a parked conversion.
 */
export async function recordNotSaved(
  deps: Pick<SagaDependencies, "audit" | "alerts">,
  conversion: Pick<SagaState, "conversionId" | "customerId" | "code">,
  detail: string,
): Promise<void> {
  await record(deps, {
    conversionId: conversion.conversionId,
    code: conversion.code,
    type: "coupon_record.saved",
    outcome: "failed",
    detail: `the customer's coupon record was not saved; the coupon stands (${detail})`,
  });
  await deps.alerts.raise("coupon_record_not_saved", "A coupon record could not be saved to the customer", {
    conversionId: conversion.conversionId,
    customerId: conversion.customerId,
    code: conversion.code,
    error: detail,
  });
}
