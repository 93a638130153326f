import { answerEntry, answerLateChange, type LateChangeNarrator } from "../admin/late-change-answer";
import type { AdjustmentDependencies } from "../admin/point-adjustments";
import {
  couldOwn,
  findClaimedChange,
  findLateChange,
  LATE_CHANGE_HORIZON_MS,
  type LateChangeSought,
} from "../pos/late-change";
import type { CouponRecord, CouponStore } from "../store";
import type { CancellationStore } from "./ports";
import { type CancellationState, recordOnce, requirePosCustomer } from "./saga";

/**
 * A refund that lands after the saga sent it again (`pos/late-change`). The second refund attempt
 * is sent only once reconciliation found the first not applied; a POS that queued the first can
 * apply it later still, and the customer then has the points twice. Minutes after such a
 * cancellation, `TakeBackLateRefund` looks once more: an addition of the points that only this
 * coupon can own is claimed by it and the extra points are taken back through a point adjustment
 * keyed by the cancellation (`admin/late-change-answer`). When the customer no longer has them, or
 * another record with an unanswered addition could own it, nothing more is moved and the admins
 * are alerted.
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
  const refundStartedAt = guard?.refundStartedAt;
  if (!coupon || !refundStartedAt || guard.cancellationId !== state.cancellationId) {
    return { found: "none" };
  }
  const refunds = coupon.refundTransactionHeadIds ?? [];
  // The refund the cancellation completed with; anything else the coupon owns is this step's claim.
  const answered = state.refund?.transactionHeadIds ?? state.reconciliation?.transactionHeadIds ?? [];
  const sought: LateChangeSought = {
    posCustomerId: requirePosCustomer(state),
    customerId: state.customerId,
    owner: { kind: "coupon", id: state.code },
    direction: "addition",
    points: state.points,
    startedAt: new Date(refundStartedAt),
    clockSkewMs: deps.clockSkewMs,
    own: refunds,
  };
  const result = await answerLateChange(deps, {
    ref: { kind: "coupon", id: state.code },
    customerId: state.customerId,
    change: state.points,
    claimed: refunds.find((id) => !answered.includes(id)),
    look: async () => {
      const late = await findLateChange(deps, sought);
      // From here on, an addition stamped later is not looked for as this cancellation's.
      await deps.cancellations.updateCancellation(state.cancellationId, ["cancelled"], {
        refundRecheckedAt: deps.now().toISOString(),
      });
      // The refund the cancellation completed with is listed, but without ids it cannot be told
      // from a late one: one addition is that refund; more, and a person decides.
      if (late.found === "one" && answered.length === 0) {
        return { found: "none", reason: `the one addition is the answered refund (${late.reason})` };
      }
      return late;
    },
    recall: (transactionHeadId) => findClaimedChange(deps, sought, transactionHeadId),
    claim: (late) => claim(deps, state, late ? [...answered, late.transactionHeadId] : answered),
    rivals: (stampedAt) => rivalCoupons(deps, coupon, stampedAt),
    answer: {
      idempotencyKey: `late-refund-${state.cancellationId}`,
      requester: "late-refund-take-back",
      note: (transactionHeadId) =>
        `Takes back the ${state.points} points coupon ${state.code}'s cancellation refunded twice: POS transaction ${transactionHeadId} is its first refund, applied after the second was sent`,
    },
    tell: narrator(deps, state, refundStartedAt),
  });
  if (result.found !== "one") return { found: result.found };
  return {
    found: "this_cancellation",
    transactionHeadId: result.transactionHeadId,
    takenBack:
      result.answer === "applied" ? "applied" : result.answer === "declined" ? "declined" : "needs_review",
  };
}

/** The coupon's refunds, on the coupon (which reconciliations read) and on the cancellation. */
async function claim(deps: LateRefundDependencies, state: CancellationState, owned: string[]) {
  await deps.coupons.updateCouponStatus(state.code, ["cancelled"], { refundTransactionHeadIds: owned });
  await deps.cancellations.updateCancellation(state.cancellationId, ["cancelled"], {
    refundTransactionHeadIds: owned,
  });
}

/** The cancellation's trail and the admins' alerts, at each turn of the answer. */
function narrator(
  deps: LateRefundDependencies,
  state: CancellationState,
  refundStartedAt: string,
): LateChangeNarrator {
  const { cancellationId, code, customerId, points } = state;
  const trail = (entry: Parameters<typeof recordOnce>[2]) => recordOnce(deps, state, entry);
  const rechecked = (outcome: "succeeded" | "unknown", detail: string) =>
    trail({ type: "refund.rechecked", outcome, detail, eventId: `refund-rechecked-${cancellationId}` });
  const takenBack = `points-taken-back-${cancellationId}`;
  return {
    nothing: (reason) => rechecked("succeeded", `no late refund: ${reason}`),
    claimed: (late) =>
      trail({
        type: "points.refunded_late",
        outcome: "succeeded",
        detail: `the first refund landed after the second was sent: ${late.reason}`,
        smaregiTransactionHeadIds: [late.transactionHeadId],
        at: late.at,
        eventId: `points-refunded-late-${cancellationId}`,
      }),
    undecided: async (transactionHeadIds, reason) => {
      await rechecked("unknown", `a late addition may be this cancellation's first refund: ${reason}`);
      await deps.alerts.raise("needs_review", `Coupon ${code}: the POS may have refunded its points twice`, {
        cancellationId,
        code,
        customerId,
        points,
        refundStartedAt,
        transactionHeadIds,
        reason,
        action:
          "Compare the customer's POS additions since refundStartedAt with their cancellations and adjustments; take back points refunded twice with a point adjustment.",
      });
    },
    answered: async (answer, transactionHeadId) => {
      if (answer.outcome === "declined") {
        // The customer has spent them meanwhile: a person decides.
        await trail({
          type: "points.taken_back",
          outcome: "failed",
          detail: `the POS refused to take back ${points} points: ${answer.reason}`,
          eventId: takenBack,
        });
        await deps.alerts.raise("needs_review", `Coupon ${code}: its points were refunded twice`, {
          cancellationId,
          code,
          customerId,
          points,
          transactionHeadId,
          reason: `the POS refused to take back the extra points: ${answer.reason}`,
          action:
            "Agree with the customer how the points refunded twice are settled; record it with a point adjustment.",
        });
        return;
      }
      if (!("adjustment" in answer)) {
        await trail({
          type: "points.taken_back",
          outcome: "unknown",
          detail: answer.reason,
          eventId: takenBack,
        });
        await deps.alerts.raise(
          "needs_review",
          `Coupon ${code}: taking back a refund made twice is not settled`,
          {
            cancellationId,
            code,
            customerId,
            points,
            transactionHeadId,
            idempotencyKey: `late-refund-${cancellationId}`,
            reason: answer.reason,
            action:
              "Check the customer's POS subtractions since the take-back's first attempt; send it again only if it is not there.",
          },
        );
        return;
      }
      await trail({
        type: "points.taken_back",
        eventId: takenBack,
        ...answerEntry(answer, {
          applied: `${points} points taken back`,
          pending: `taking back ${points} points`,
        }),
      });
    },
  };
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
