import {
  type AdjustmentDependencies,
  settledAdjustment,
  systemRequester,
  unansweredAdjustments,
} from "../admin/point-adjustments";
import { PosDeclined } from "../errors";
import { couldOwn, findLateChange, LATE_CHANGE_HORIZON_MS, rivalsReason } from "../pos/late-change";
import type { CouponRecord, CouponStore } from "../store";
import type { CancellationStore } from "./ports";
import { type CancellationState, recordOnce, requirePosCustomer } from "./saga";

/**
 * A refund that lands after the saga sent it again (`pos/late-change`). The second refund attempt
 * is sent only once reconciliation found the first not applied; a POS that queued the first can
 * apply it later still, and the customer then has the points twice. Minutes after such a
 * cancellation, `TakeBackLateRefund` looks once more: an addition of the points that only this
 * coupon can own is claimed by it (so no later reconciliation takes it for its own) and the extra
 * points are taken back through a point adjustment keyed by the cancellation: written before the
 * POS is called, sent once, reconciled when its answer is lost (`admin/point-adjustments`). When the
 * customer no longer has them, or another record with an unanswered addition could own it, nothing
 * more is moved and the admins are alerted.
 */

export type LateRefundDependencies = AdjustmentDependencies & {
  coupons: Pick<CouponStore, "getCoupon" | "updateCouponStatus" | "listCouponsByCustomer">;
  cancellations: Pick<CancellationStore, "getCancellation" | "refundGuardOf" | "updateCancellation">;
};

/** TakeBackLateRefund's answer. */
export interface LateRefundCheck {
  found: "none" | "this_cancellation" | "ambiguous";
  /** With `this_cancellation`: the late addition, and what became of the extra points. */
  transactionHeadId?: string;
  takenBack?: "applied" | "needs_review" | "declined";
}

export async function takeBackLateRefund(
  deps: LateRefundDependencies,
  state: CancellationState,
): Promise<LateRefundCheck> {
  const [coupon, guard] = await Promise.all([
    deps.coupons.getCoupon(state.code),
    deps.cancellations.refundGuardOf(state.code),
  ]);
  if (!coupon || !guard?.refundStartedAt || guard.cancellationId !== state.cancellationId) {
    return { found: "none" };
  }
  const key = `late-refund-${state.cancellationId}`;
  const refunds = coupon.refundTransactionHeadIds ?? [];
  // The refund the cancellation completed with; anything else the coupon owns is this step's claim.
  const answered = state.refund?.transactionHeadIds ?? state.reconciliation?.transactionHeadIds ?? [];
  let transactionHeadId = refunds.find((id) => !answered.includes(id));
  // When the POS stamped it; a repeat of this step after the claim, which did not keep it, takes now.
  let stampedAt = deps.now().getTime();
  if (transactionHeadId === undefined) {
    const late = await findLateChange(deps, {
      posCustomerId: requirePosCustomer(state),
      customerId: state.customerId,
      owner: { kind: "coupon", id: state.code },
      direction: "addition",
      points: state.points,
      startedAt: new Date(guard.refundStartedAt),
      clockSkewMs: deps.clockSkewMs,
      own: refunds,
    });
    // From here on, an addition stamped later is not looked for as this cancellation's.
    await deps.cancellations.updateCancellation(state.cancellationId, ["cancelled"], {
      refundRecheckedAt: deps.now().toISOString(),
    });
    if (late.found === "none") {
      await recordOnce(deps, state, {
        type: "refund.rechecked",
        outcome: "succeeded",
        detail: `no late refund: ${late.reason}`,
        eventId: `refund-rechecked-${state.cancellationId}`,
      });
      return { found: "none" };
    }
    // The refund the cancellation completed with is listed, but without ids it cannot be told
    // from a late one: one addition is that refund; more, and a person decides.
    if (late.found === "one" && answered.length === 0) {
      await recordOnce(deps, state, {
        type: "refund.rechecked",
        outcome: "succeeded",
        detail: `no late refund: the one addition is the answered refund (${late.reason})`,
        eventId: `refund-rechecked-${state.cancellationId}`,
      });
      return { found: "none" };
    }
    if (late.found === "ambiguous")
      return ambiguous(deps, state, guard.refundStartedAt, late.transactionHeadIds, late.reason);
    // Claimed before the rivals are asked (`pos/late-change`): no reconciliation after this
    // instant takes it for its own.
    await claim(deps, state, [...answered, late.transactionHeadId]);
    transactionHeadId = late.transactionHeadId;
    stampedAt = Date.parse(late.at);
    await recordOnce(deps, state, {
      type: "points.refunded_late",
      outcome: "succeeded",
      detail: `the first refund landed after the second was sent: ${late.reason}`,
      smaregiTransactionHeadIds: [late.transactionHeadId],
      at: late.at,
      eventId: `points-refunded-late-${state.cancellationId}`,
    });
  }
  // Until the take-back is written, a rival gives the addition up again: a person decides.
  if (!(await deps.adjustments.get(state.customerId, key))) {
    const owners = await deps.claimed.of(state.customerId, { kind: "coupon", id: state.code });
    const rivals = [
      ...(owners.has(transactionHeadId) ? ["a record that owns it already"] : []),
      ...(await rivalCoupons(deps, coupon, stampedAt)),
      ...(await unansweredAdjustments(
        deps.adjustments,
        state.customerId,
        state.points,
        stampedAt,
        deps.clockSkewMs,
      )),
    ];
    if (rivals.length > 0) {
      await claim(deps, state, answered);
      return ambiguous(
        deps,
        state,
        guard.refundStartedAt,
        [transactionHeadId],
        rivalsReason(transactionHeadId, rivals),
      );
    }
  }
  return takeBack(deps, state, transactionHeadId, key);
}

/** The coupon's refunds, on the coupon (which reconciliations read) and on the cancellation. */
async function claim(deps: LateRefundDependencies, state: CancellationState, owned: string[]) {
  await deps.coupons.updateCouponStatus(state.code, ["cancelled"], { refundTransactionHeadIds: owned });
  await deps.cancellations.updateCancellation(state.cancellationId, ["cancelled"], {
    refundTransactionHeadIds: owned,
  });
}

/** A late addition that may be this cancellation's first refund, or another's: the admins decide. */
async function ambiguous(
  deps: LateRefundDependencies,
  state: CancellationState,
  refundStartedAt: string,
  transactionHeadIds: string[],
  reason: string,
): Promise<LateRefundCheck> {
  await recordOnce(deps, state, {
    type: "refund.rechecked",
    outcome: "unknown",
    detail: `a late addition may be this cancellation's first refund: ${reason}`,
    eventId: `refund-rechecked-${state.cancellationId}`,
  });
  await deps.alerts.raise(
    "needs_review",
    `Coupon ${state.code}: the POS may have refunded its points twice`,
    {
      cancellationId: state.cancellationId,
      code: state.code,
      customerId: state.customerId,
      points: state.points,
      refundStartedAt,
      transactionHeadIds,
      reason,
      action:
        "Compare the customer's POS additions since refundStartedAt with their cancellations and adjustments; take back points refunded twice with a point adjustment.",
    },
  );
  return { found: "ambiguous" };
}

/**
 * The customer's other coupons of the same points whose cancellation's refund may be unanswered
 * (still cancelling, or parked inactive) and could have been stamped then.
 */
async function rivalCoupons(
  deps: LateRefundDependencies,
  coupon: CouponRecord,
  stampedAt: number,
): Promise<string[]> {
  const { items } = await deps.coupons.listCouponsByCustomer(coupon.customerId, { limit: 100 });
  const suspects = items.filter(
    (other) =>
      other.code !== coupon.code &&
      other.pointsUsed === coupon.pointsUsed &&
      (other.status === "cancelling" || other.status === "inactive" || other.status === "cancelled"),
  );
  const rivals: string[] = [];
  for (const other of suspects) {
    const guard = await deps.cancellations.refundGuardOf(other.code);
    // A cancelled coupon whose one refund was answered with its id owns that one; one refunded
    // twice, or without knowing its refund's id, may own this addition too, unless its own recheck
    // looked before this addition was stamped.
    const settled =
      other.status === "cancelled" &&
      (guard?.refundAttempts ?? 1) < 2 &&
      (other.refundTransactionHeadIds?.length ?? 0) > 0;
    if (settled || !guard?.refundStartedAt) continue;
    const recheckedAt =
      other.status === "cancelled" && guard.cancellationId
        ? (await deps.cancellations.getCancellation(guard.cancellationId))?.refundRecheckedAt
        : undefined;
    if (
      couldOwn(guard.refundStartedAt, stampedAt, {
        clockSkewMs: deps.clockSkewMs,
        horizonMs: LATE_CHANGE_HORIZON_MS,
        recheckedAt,
      })
    ) {
      rivals.push(`coupon ${other.code}`);
    }
  }
  return rivals;
}

async function takeBack(
  deps: LateRefundDependencies,
  state: CancellationState,
  transactionHeadId: string,
  idempotencyKey: string,
): Promise<LateRefundCheck> {
  const eventId = `points-taken-back-${state.cancellationId}`;
  let result: Awaited<ReturnType<typeof settledAdjustment>>;
  try {
    result = await settledAdjustment(deps, {
      admin: systemRequester("late-refund-take-back"),
      actor: "system",
      customerId: state.customerId,
      idempotencyKey,
      points: -state.points,
      reason: "correction",
      note: `Takes back the ${state.points} points coupon ${state.code}'s cancellation refunded twice: POS transaction ${transactionHeadId} is its first refund, applied after the second was sent`,
    });
  } catch (error) {
    if (!(error instanceof PosDeclined)) throw error;
    // The customer has spent them meanwhile: a person decides.
    await recordOnce(deps, state, {
      type: "points.taken_back",
      outcome: "failed",
      detail: `the POS refused to take back ${state.points} points: ${error.message}`,
      eventId,
    });
    await deps.alerts.raise("needs_review", `Coupon ${state.code}: its points were refunded twice`, {
      cancellationId: state.cancellationId,
      code: state.code,
      customerId: state.customerId,
      points: state.points,
      transactionHeadId,
      reason: `the POS refused to take back the extra points: ${error.message}`,
      action:
        "Agree with the customer how the points refunded twice are settled; record it with a point adjustment.",
    });
    return { found: "this_cancellation", transactionHeadId, takenBack: "declined" };
  }
  if (result.outcome === "unsettled") {
    await recordOnce(deps, state, {
      type: "points.taken_back",
      outcome: "unknown",
      detail: result.reason,
      eventId,
    });
    await deps.alerts.raise(
      "needs_review",
      `Coupon ${state.code}: taking back a refund made twice is not settled`,
      {
        cancellationId: state.cancellationId,
        code: state.code,
        customerId: state.customerId,
        points: state.points,
        transactionHeadId,
        idempotencyKey,
        reason: result.reason,
        action:
          "Check the customer's POS subtractions since the take-back's first attempt; send it again only if it is not there.",
      },
    );
    return { found: "this_cancellation", transactionHeadId, takenBack: "needs_review" };
  }
  const adjustment = result.adjustment;
  const applied = result.outcome === "applied";
  await recordOnce(deps, state, {
    type: "points.taken_back",
    outcome: applied ? "succeeded" : "unknown",
    detail: applied
      ? `${state.points} points taken back by point adjustment ${adjustment.adjustmentId}`
      : `point adjustment ${adjustment.adjustmentId} taking back ${state.points} points needs review: ${adjustment.reviewReason ?? "the POS could not tell"}`,
    ...(adjustment.transactionHeadIds?.length
      ? { smaregiTransactionHeadIds: adjustment.transactionHeadIds }
      : {}),
    eventId,
  });
  return { found: "this_cancellation", transactionHeadId, takenBack: applied ? "applied" : "needs_review" };
}
