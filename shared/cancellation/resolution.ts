import type { AdminPrincipal } from "../auth/admin";
import { adminLabel } from "../auth/admin";
import { Conflict } from "../errors";
import { logger } from "../observability";
import { type ClaimedTransactions, findPointChange, type PosEvidence } from "../pos/evidence";
import type { PointsReader } from "../pos/ports";
import type { ResolutionTrail } from "../resolution/claims";
import {
  type ParkedResolutionRequest,
  type ParkedWork,
  resolveParked,
  type Settled,
} from "../resolution/workflow";
import { caught } from "../step-functions";
import {
  type CouponPatch,
  type CouponRecord,
  type CouponStatus,
  CouponStatusConflict,
  type CouponStore,
} from "../store";
import type { CancellationStore } from "./ports";
import type { CancellationPatch, CancellationRecord } from "./records";
import type {
  CancellationResolutionAnswer,
  CancellationResolutionOutcome,
  CancellationResolutionRecord,
  CancellationResolutionStore,
  ResolvedCouponChange,
} from "./resolution-records";
import {
  type CancellationDependencies,
  type CancellationState,
  giveCodeBack,
  notifyCustomer,
  orderOf,
  type ReadsPos,
  reportEmailNotSent,
  reportRecordNotSaved,
  saveCancelledRecord,
} from "./saga";

/**
 * Staff resolve a cancellation the saga parked as `needs_review` (the POS could not tell whether
 * the refund landed, or the coupon could not be given back), the way parked conversions are
 * resolved (shared/admin/review-resolution.ts). The service never moves points here: it reads the
 * POS for evidence, refuses an outcome the POS clearly contradicts, and then, under a claim only
 * one resolution can hold, either lets the cancellation stand (`points_refunded`: coupon and
 * cancellation `cancelled`, then the customer's record and email the saga never got to) or gives
 * the coupon back so that staff can cancel it again (`points_not_refunded`: the code live again,
 * the coupon `active` and the cancellation `failed`). The cancellation, its coupon and the claim
 * change in one conditional transaction.
 *
 * The only Shopify step before the commit (reactivating the code) is idempotent and repeated by a
 * continuation of the same request, so a request that failed after it keeps its claim.
 */

export interface CancellationResolutionRequest {
  admin: AdminPrincipal;
  cancellationId: string;
  idempotencyKey: string;
  outcome: CancellationResolutionOutcome;
  note: string;
}

/** The saga's adapters (Shopify, stores, notices, alerts, audit), for its own steps; the POS is only read. */
export type ResolutionSagaDependencies = Omit<CancellationDependencies, "pos" | "coupons" | "cancellations"> &
  ReadsPos & {
    coupons: Pick<CouponStore, "getCoupon">;
    cancellations: Pick<CancellationStore, "getCancellation" | "refundGuardOf">;
  };

export interface CancellationResolutionDependencies {
  resolutions: CancellationResolutionStore;
  saga: ResolutionSagaDependencies;
  /** How long after its attempt a refund may still land. */
  refundSettleMs: number;
  /** A `pending` claim older than this died with its request; another request may take over. */
  abandonedClaimMs: number;
}

export interface RefundEvidenceDependencies {
  pos: PointsReader;
  cancellations: Pick<CancellationStore, "refundGuardOf">;
  /** POS transactions other records own. */
  claimed: ClaimedTransactions;
  now: () => Date;
  refundSettleMs: number;
  /** Tolerance between our clock and the POS's transaction times. */
  clockSkewMs?: number;
}

// ---- the route ----

export function resolveCancellationReview(
  deps: CancellationResolutionDependencies,
  request: CancellationResolutionRequest,
): Promise<CancellationResolutionAnswer> {
  return resolveParked(parkedCancellations(deps), request.cancellationId, request);
}

/** A parked cancellation as the resolution workflow sees it. */
export function parkedCancellations(
  deps: CancellationResolutionDependencies,
): ParkedWork<
  CancellationRecord,
  CancellationResolutionOutcome,
  CancellationResolutionRecord,
  CancellationResolutionAnswer,
  CouponRecord
> {
  const { saga } = deps;
  return {
    kind: "cancellation",
    claims: deps.resolutions,
    audit: saga.audit,
    now: saga.now,
    abandonedClaimMs: deps.abandonedClaimMs,
    load: (cancellationId) => saga.cancellations.getCancellation(cancellationId),
    statusOf: (cancellation) => cancellation.status,
    prepare: async (request, cancellation) =>
      requireSettleable(request.outcome, cancellation, await saga.coupons.getCoupon(cancellation.code)),
    evidence: (cancellation) => readRefundEvidence(evidenceDependencies(deps), cancellation),
    saysApplied: (outcome) => outcome === "points_refunded",
    claimFields: (cancellation) => ({
      cancellationId: cancellation.cancellationId,
      conversionId: cancellation.conversionId,
    }),
    settle: (request, cancellation, coupon, evidence, claim) =>
      settle(deps, request, cancellation, coupon, evidence, claim),
    // One event per resolution, under the coupon and its conversion.
    resolvedEvent: (claim, answer) => ({
      subject: { type: "coupon", id: answer.code },
      relatedSubjects: [{ type: "conversion", id: claim.conversionId }],
      type: "cancellation.resolved",
      eventId: `cancellation-resolved-${claim.cancellationId}`,
    }),
    refusedEvent: (cancellation) => ({
      subject: { type: "coupon", id: cancellation.code },
      relatedSubjects: [{ type: "conversion", id: cancellation.conversionId }],
      type: "cancellation.resolution_refused",
      data: { cancellationId: cancellation.cancellationId },
    }),
  };
}

async function settle(
  deps: CancellationResolutionDependencies,
  request: ParkedResolutionRequest<CancellationResolutionOutcome>,
  cancellation: CancellationRecord,
  coupon: CouponRecord,
  evidence: PosEvidence,
  claim: CancellationResolutionRecord,
): Promise<Settled<CancellationResolutionAnswer>> {
  const { saga } = deps;
  const code =
    request.outcome === "points_not_refunded" && coupon.status === "inactive"
      ? await giveCodeBack(saga, cancellation, coupon)
      : undefined;
  const resolvedAt = saga.now().toISOString();
  const label = adminLabel(request.admin);
  const settlement =
    request.outcome === "points_refunded"
      ? standing(cancellation, coupon, evidence, resolvedAt)
      : givenBack(coupon, code, resolvedAt, label);
  const answer: CancellationResolutionAnswer = {
    cancellationId: cancellation.cancellationId,
    code: cancellation.code,
    status: settlement.status,
    coupon: { code: cancellation.code, status: settlement.couponStatus },
    resolvedBy: label,
    resolvedAt,
    note: request.note,
  };
  const trail = trailOf(request, cancellation, evidence, settlement, answer);
  return {
    answer,
    trail,
    commit: () =>
      deps.resolutions.commit({
        claim,
        cancellation: {
          cancellationId: cancellation.cancellationId,
          status: settlement.status,
          patch: { ...settlement.patch, resolvedBy: label, resolvedAt, resolutionNote: request.note },
        },
        coupon: settlement.coupon,
        answer,
        trail,
      }),
    // The customer hears once the cancellation stands, as from the saga; not when the coupon was used.
    afterCommit: async () => {
      if (answer.status === "cancelled" && answer.coupon.status === "cancelled") {
        await tellCustomer(saga, { ...orderOf(cancellation), actorId: request.admin.id });
      }
    },
  };
}

/** The coupon each outcome can settle: `inactive` as parked, `used` by a late checkout, or `cancelled`. */
function requireSettleable(
  outcome: CancellationResolutionOutcome,
  cancellation: CancellationRecord,
  coupon: CouponRecord | undefined,
): CouponRecord {
  if (outcome === "points_not_refunded" && coupon?.status === "cancelled") {
    // The saga cancels a coupon only once its refund is known to have landed.
    throw new Conflict(
      "coupon_status_conflict",
      `Coupon ${cancellation.code} was cancelled after its refund was recorded; it cannot be given back. Resolve points_refunded, and take the points back with a point adjustment if they should not stay`,
    );
  }
  const expected: CouponStatus[] = ["inactive", "used", "cancelled"];
  if (!coupon || !expected.includes(coupon.status)) {
    throw new CouponStatusConflict(cancellation.code, coupon?.status, expected);
  }
  return coupon;
}

// ---- evidence ----

/** What the POS says now about a parked cancellation's refund, read as its resolution reads it. */
export const refundEvidenceOf = (
  deps: CancellationResolutionDependencies,
  cancellation: CancellationRecord,
) => readRefundEvidence(evidenceDependencies(deps), cancellation);

function evidenceDependencies({ saga, refundSettleMs }: CancellationResolutionDependencies) {
  return {
    pos: saga.pos,
    cancellations: saga.cancellations,
    claimed: saga.claimed,
    now: saga.now,
    refundSettleMs,
    clockSkewMs: saga.clockSkewMs,
  } satisfies RefundEvidenceDependencies;
}

/**
 * Reads the POS the way the saga's reconciliation does: additions (division 6) of exactly the
 * coupon's points since the first refund attempt (less the clock skew), not owned by another
 * coupon's refund or a staff adjustment. Without a refund attempt of this cancellation on the
 * coupon, nothing was ever sent.
 */
export async function readRefundEvidence(
  deps: RefundEvidenceDependencies,
  cancellation: CancellationRecord,
): Promise<PosEvidence> {
  const guard = await deps.cancellations.refundGuardOf(cancellation.code);
  if (!guard?.refundStartedAt || guard.cancellationId !== cancellation.cancellationId) {
    return { outcome: "not_applied", reason: "no refund was ever sent for this cancellation" };
  }
  return findPointChange(deps, {
    // The coupon's customer id is the member number at the store.
    posCustomerId: async () => (await deps.pos.findMember(cancellation.customerId)).customerId,
    customerId: cancellation.customerId,
    owner: { kind: "coupon", id: cancellation.code },
    direction: "addition",
    points: cancellation.points,
    startedAt: new Date(guard.refundStartedAt),
    settleMs: deps.refundSettleMs,
    clockSkewMs: deps.clockSkewMs,
    window: "since_first_attempt",
    balanceBefore: guard.refundBalanceBefore,
    ownerLabel: "this cancellation's refund",
  });
}

// ---- the outcomes ----

interface Settlement {
  status: "cancelled" | "failed";
  patch: CancellationPatch;
  coupon: ResolvedCouponChange;
  couponStatus: CouponStatus;
  /** What became of the coupon and its code, for the trail. */
  action: string;
}

/** `points_refunded`: the cancellation stands, as the saga's CompleteCancellation would record it. */
function standing(
  cancellation: CancellationRecord,
  coupon: CouponRecord,
  evidence: PosEvidence,
  resolvedAt: string,
): Settlement {
  // Known from the POS: later reconciliations must see this addition as this coupon's refund.
  const refundIds = evidence.outcome === "applied" ? evidence.transactionHeadIds : undefined;
  const recorded = {
    refundedPoints: cancellation.points,
    balanceAfter: evidence.outcome === "applied" ? evidence.balance : undefined,
    refundTransactionHeadIds: refundIds ?? coupon.refundTransactionHeadIds,
  };
  if (coupon.status === "cancelled") {
    return {
      status: "cancelled",
      patch: { ...recorded, cancelledAt: coupon.cancelledAt ?? resolvedAt },
      coupon: { kind: "none" },
      couponStatus: "cancelled",
      action: "the coupon was already cancelled",
    };
  }
  if (coupon.status === "used") {
    return {
      status: "cancelled",
      patch: { ...recorded, cancelledAt: resolvedAt },
      coupon: refundIds
        ? {
            kind: "update",
            code: coupon.code,
            expected: "used",
            patch: { refundTransactionHeadIds: refundIds },
          }
        : { kind: "none" },
      couponStatus: "used",
      action:
        "the coupon was used at checkout while in review: the points went back and the discount was applied; take the points back with a point adjustment if they should not stay",
    };
  }
  return {
    status: "cancelled",
    patch: { ...recorded, cancelledAt: resolvedAt },
    coupon: {
      kind: "update",
      code: coupon.code,
      expected: "inactive",
      patch: {
        status: "cancelled",
        cancelledAt: resolvedAt,
        cancelledBy: cancellation.cancelledBy,
        cancelReason: cancellation.reason,
        cancelNote: cancellation.note,
        refundTransactionHeadIds: refundIds,
      },
    },
    couponStatus: "cancelled",
    action: "the coupon is cancelled",
  };
}

const givenBackActions = {
  live: "the code is active again",
  past_end: "the coupon is active again but past its end; its code stays deactivated",
  missing: "the coupon is active again (no Shopify code found)",
} as const;

/** `points_not_refunded`: the coupon back as the saga's RestoreCoupon gives it, or `used`. */
function givenBack(
  coupon: CouponRecord,
  code: Awaited<ReturnType<typeof giveCodeBack>> | undefined,
  resolvedAt: string,
  resolvedBy: string,
): Settlement {
  const settle = (action: string, couponStatus: CouponStatus, change: ResolvedCouponChange): Settlement => ({
    status: "failed",
    patch: {
      failure: {
        code: "resolved_not_refunded",
        detail: `${resolvedBy} found that the refund did not land: nothing was refunded; ${action}`,
      },
    },
    coupon: change,
    couponStatus,
    action,
  });
  const fromInactive = (patch: CouponPatch, releaseGuard = false): ResolvedCouponChange => ({
    kind: "update",
    code: coupon.code,
    expected: "inactive",
    patch,
    releaseGuard,
  });
  // Only an inactive coupon's code was looked at; a used one stays as it is.
  if (code === undefined) {
    return settle("the coupon was used at checkout while in review; it stays used", "used", { kind: "none" });
  }
  if (code === "used") {
    return settle(
      "the code turned out to be used at checkout; the coupon is marked used",
      "used",
      fromInactive({ status: "used", usedAt: resolvedAt }),
    );
  }
  return settle(givenBackActions[code], "active", fromInactive({ status: "active" }, true));
}

// ---- after the commit ----

/**
 * The saga's last steps, which it never reached: the customer's coupon record and the cancellation
 * email. Each is best effort, as in the saga: a failure is reported and alerted, never undoes the
 * resolution.
 */
async function tellCustomer(saga: ResolutionSagaDependencies, state: CancellationState): Promise<void> {
  const steps = [
    {
      name: "saveCancelledRecord",
      run: saveCancelledRecord,
      report: reportRecordNotSaved,
      error: "recordError",
    },
    { name: "notifyCustomer", run: notifyCustomer, report: reportEmailNotSent, error: "noticeError" },
  ] as const;
  for (const step of steps) {
    try {
      await step.run(saga, state);
    } catch (error) {
      try {
        await step.report(saga, { ...state, [step.error]: caught(error) });
      } catch (reportError) {
        logger.warn("resolution follow-up not reported", {
          cancellationId: state.cancellationId,
          step: step.name,
          error: reportError instanceof Error ? reportError.message : String(reportError),
        });
      }
    }
  }
}

// ---- audit ----

function trailOf(
  request: ParkedResolutionRequest<CancellationResolutionOutcome>,
  cancellation: CancellationRecord,
  evidence: PosEvidence,
  settlement: Settlement,
  answer: CancellationResolutionAnswer,
): ResolutionTrail {
  const transactions = evidence.transactionHeadIds ?? settlement.patch.refundTransactionHeadIds;
  return {
    detail: `${answer.resolvedBy} resolved ${request.outcome}: cancellation ${answer.status}, coupon ${answer.coupon.status}; POS ${evidence.outcome}: ${evidence.reason}; ${settlement.action}`,
    data: {
      cancellationId: cancellation.cancellationId,
      outcome: request.outcome,
      note: request.note,
      status: answer.status,
      couponStatus: answer.coupon.status,
      posEvidence: evidence.outcome,
      posEvidenceDetail: evidence.reason,
      posReadable: evidence.outcome !== "unreadable",
      posBalance: evidence.balance ?? null,
      coupon: settlement.action,
      idempotencyKey: request.idempotencyKey,
      adminSubject: request.admin.id,
    },
    externalIds: {
      shopifyDiscountId: cancellation.discountId,
      ...(transactions?.length ? { smaregiTransactionHeadIds: transactions } : {}),
    },
  };
}
