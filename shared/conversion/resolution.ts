import type { AdminPrincipal } from "../auth/admin";
import { adminLabel } from "../auth/admin";
import { Conflict, ShopifyRejected } from "../errors";
import { logger } from "../observability";
import type { AdminAlerts, CustomerCouponRecords } from "../ports";
import { type ClaimedTransactions, findPointChange, type PosEvidence } from "../pos/evidence";
import type { PointsReader } from "../pos/ports";
import { type ParkedWork, resolveParked, type Settled } from "../resolution/workflow";
import { AuditOutboxCouponHandoff, type CouponHandoff } from "../rewards/handoff";
import type { DiscountCodeSummary, DiscountCodes } from "../shopify/ports";
import {
  type AuditTrail,
  type ConversionRecord,
  type ConversionStore,
  type CouponRecord,
  CouponStatusConflict,
  type CouponStore,
} from "../store";
import type {
  CouponChange,
  ResolutionAnswer,
  ResolutionOutcome,
  ResolutionRecord,
  ResolutionStore,
  ResolutionTrail,
  ResolvedConversionFields,
} from "./resolution-records";
import { recordNotSaved } from "./saga";

/**
 * Staff resolve a conversion the saga parked as `needs_review` (the POS could not tell whether the
 * points were taken, or a compensation failed). The service never moves points here: it reads the
 * POS for evidence, refuses an outcome the POS clearly contradicts, and then, under a claim that
 * only one resolution can hold, either makes the coupon usable (`points_taken`: code reactivated,
 * coupon `active`, conversion `completed`) or voids it (`points_not_taken`: code deleted, or kept
 * deactivated when it cannot be deleted; coupon `cancelled`; conversion `compensated`). The
 * conversion, its coupon and the resolution record change in one conditional transaction.
 *
 * Every Shopify step is idempotent and repeated whole by a continuation of the same request, so a
 * request that failed after touching Shopify keeps its claim: the same request finishes it, another
 * may take over once the claim is abandoned.
 */

export interface ResolutionRequest {
  admin: AdminPrincipal;
  conversionId: string;
  idempotencyKey: string;
  outcome: ResolutionOutcome;
  note: string;
}

export interface ResolutionDependencies {
  resolutions: ResolutionStore;
  conversions: Pick<ConversionStore, "getConversion" | "updateConversion" | "releaseReservation">;
  coupons: Pick<CouponStore, "getCoupon">;
  discounts: Pick<
    DiscountCodes,
    "findDiscountByCode" | "reinstateDiscount" | "deleteDiscountByCode" | "deactivateDiscountByCode"
  >;
  records: CustomerCouponRecords;
  audit: Pick<AuditTrail, "appendAuditEvent">;
  alerts: AdminAlerts;
  /** Where custom rewards' revocations go; the audit-table outbox when not given. */
  couponHandoff?: CouponHandoff;
  evidence: EvidenceDependencies;
  now: () => Date;
  /** A `pending` claim older than this died with its request; another request may take over. */
  abandonedClaimMs: number;
}

export interface EvidenceDependencies {
  pos: PointsReader;
  /** POS transactions other records own. */
  claimed: ClaimedTransactions;
  now: () => Date;
  /** How long after its attempt a deduction may still land (the saga's settle time). */
  deductionSettleMs: number;
  /** Tolerance between our clock and the POS's transaction times. */
  clockSkewMs?: number;
}

export type { PosEvidence } from "../pos/evidence";

// ---- the route ----

const isCustom = (conversion: ConversionRecord) => conversion.reward?.coupon.type === "custom";

export function resolveReview(
  deps: ResolutionDependencies,
  request: ResolutionRequest,
): Promise<ResolutionAnswer> {
  return resolveParked(parkedConversions(deps), request.conversionId, request);
}

interface ConversionContext {
  /** The conversion's own coupon, when one was stored. */
  coupon: CouponRecord | undefined;
  usedMeanwhile: boolean;
  /** `points_taken` of a Shopify coupon: its discount, to reactivate. */
  discount: DiscountCodeSummary | null;
}

/** A parked conversion as the resolution workflow sees it. */
export function parkedConversions(
  deps: ResolutionDependencies,
): ParkedWork<ConversionRecord, ResolutionOutcome, ResolutionRecord, ResolutionAnswer, ConversionContext> {
  return {
    kind: "conversion",
    claims: deps.resolutions,
    audit: deps.audit,
    now: deps.now,
    abandonedClaimMs: deps.abandonedClaimMs,
    load: (conversionId) => deps.conversions.getConversion(conversionId),
    statusOf: (conversion) => conversion.status,
    prepare: (request, conversion) => prepare(deps, request, conversion),
    evidence: (conversion) => readPosEvidence(deps.evidence, conversion),
    saysApplied: (outcome) => outcome === "points_taken",
    claimFields: (conversion) => ({ conversionId: conversion.conversionId }),
    settle: (request, conversion, context, evidence, claim) =>
      settle(deps, request, conversion, context, evidence, claim),
    resolvedEvent: (claim, answer) => ({
      subject: { type: "conversion", id: claim.conversionId },
      ...(answer.coupon ? { relatedSubjects: [{ type: "coupon" as const, id: answer.coupon.code }] } : {}),
      type: "conversion.resolved",
      eventId: `conversion-resolved-${claim.conversionId}`,
    }),
    refusedEvent: (conversion) => ({
      subject: { type: "conversion", id: conversion.conversionId },
      relatedSubjects: [{ type: "coupon", id: conversion.code }],
      type: "conversion.resolution_refused",
    }),
  };
}

/** What can be made of this conversion: custom rewards, the coupon's state, the Shopify code. */
async function prepare(
  deps: ResolutionDependencies,
  request: ResolutionRequest | { outcome: ResolutionOutcome },
  conversion: ConversionRecord,
): Promise<ConversionContext> {
  if (request.outcome === "points_taken" && isCustom(conversion)) {
    throw new Conflict(
      "custom_reward_resolve_manually",
      `Conversion ${conversion.conversionId} is a custom reward: the merchant's integration was told to revoke its coupon and no event tells it to honour the coupon again. Agree with the integration to honour it, or give the points back with a point adjustment; then record the outcome by hand (docs/runbook.md, Resolve needs_review)`,
    );
  }
  const stored = await deps.coupons.getCoupon(conversion.code);
  const coupon = stored?.conversionId === conversion.conversionId ? stored : undefined;
  if (coupon && coupon.status !== "inactive" && coupon.status !== "used") {
    throw new CouponStatusConflict(coupon.code, coupon.status, ["inactive", "used"]);
  }
  const usedMeanwhile = coupon?.status === "used";
  if (request.outcome === "points_taken" && !usedMeanwhile && deps.now() >= new Date(conversion.expiresAt)) {
    throw new Conflict(
      "coupon_expired",
      `The coupon of conversion ${conversion.conversionId} expired at ${conversion.expiresAt} while in review; it cannot be made usable. Give the points back with a point adjustment instead`,
    );
  }
  const honouring = request.outcome === "points_taken";
  const discount = honouring && !isCustom(conversion) ? await discountOf(deps, conversion) : null;
  if (honouring && !isCustom(conversion) && !usedMeanwhile && !discount) {
    throw new Conflict(
      "discount_not_found",
      `Shopify has no discount code ${conversion.code} of conversion ${conversion.conversionId}; it cannot be made usable`,
    );
  }
  return { coupon, usedMeanwhile, discount };
}

async function settle(
  deps: ResolutionDependencies,
  request: Omit<ResolutionRequest, "conversionId">,
  conversion: ConversionRecord,
  { coupon, usedMeanwhile, discount }: ConversionContext,
  evidence: PosEvidence,
  claim: ResolutionRecord,
): Promise<Settled<ResolutionAnswer>> {
  const shopify =
    request.outcome === "points_taken"
      ? await honour(deps, conversion, discount, usedMeanwhile)
      : await voidCoupon(deps, conversion, coupon, claim);
  const resolvedAt = deps.now().toISOString();
  const label = adminLabel(request.admin);
  const status = request.outcome === "points_taken" ? "completed" : "compensated";
  const change = couponChange(request.outcome, conversion, coupon, shopify.discountId, resolvedAt, label);
  const couponAfter = couponStatusAfter(change, coupon);
  const answer: ResolutionAnswer = {
    conversionId: conversion.conversionId,
    status,
    coupon: couponAfter ? { code: conversion.code, status: couponAfter } : null,
    resolvedBy: label,
    resolvedAt,
    note: request.note,
  };
  const trail = trailOf(request, conversion, evidence, shopify, answer);
  return {
    answer,
    trail,
    commit: () =>
      deps.resolutions.commit({
        claim,
        conversion: {
          conversionId: conversion.conversionId,
          status,
          fields: conversionFields(request.outcome, conversion, evidence, shopify.discountId, answer),
        },
        coupon: change,
        answer,
        trail,
      }),
    afterCommit: () => afterCommit(deps, conversion, answer, shopify.discountId),
  };
}

// ---- evidence ----

/**
 * Reads the POS the way the saga's reconciliation does: subtractions (division 7) of exactly the
 * conversion's points, stamped while its deduction could land (from the attempt, less the clock
 * skew, to the saga's settle time plus the skew), not owned by another conversion or an adjustment.
 */
export async function readPosEvidence(
  deps: EvidenceDependencies,
  conversion: ConversionRecord,
): Promise<PosEvidence> {
  if (!conversion.deductionStartedAt) {
    return { outcome: "not_applied", reason: "no deduction was ever sent for this conversion" };
  }
  return findPointChange(deps, {
    posCustomerId: async () =>
      conversion.posCustomerId ?? (await deps.pos.findMember(conversion.memberNumber)).customerId,
    customerId: conversion.customerId,
    owner: { kind: "conversion", id: conversion.conversionId },
    direction: "subtraction",
    points: conversion.points,
    startedAt: new Date(conversion.deductionStartedAt),
    settleMs: deps.deductionSettleMs,
    clockSkewMs: deps.clockSkewMs,
    window: "attempt",
    balanceBefore: conversion.balanceBefore,
    ownerLabel: "this conversion's",
  });
}

// ---- Shopify ----

interface ShopifyResult {
  discountId: string | undefined;
  /** What was done, for the trail. */
  action: string;
}

/** This conversion's discount: the code, found only when its title carries the conversion id. */
async function discountOf(
  deps: ResolutionDependencies,
  conversion: ConversionRecord,
): Promise<DiscountCodeSummary | null> {
  const found = await deps.discounts.findDiscountByCode(conversion.code);
  return found?.title.includes(conversion.conversionId) ? found : null;
}

async function honour(
  deps: ResolutionDependencies,
  conversion: ConversionRecord,
  discount: DiscountCodeSummary | null,
  usedMeanwhile: boolean,
): Promise<ShopifyResult> {
  if (usedMeanwhile || !discount) {
    return {
      discountId: discount?.discountId,
      action: "the coupon was used while in review; the code was left as it is",
    };
  }
  const live = await deps.discounts.reinstateDiscount(discount, {
    startsAt: conversion.startsAt,
    endsAt: conversion.expiresAt,
  });
  if (live.status === "EXPIRED") {
    throw new ShopifyRejected(`Shopify left discount ${discount.discountId} expired after activating it`, []);
  }
  const endsAt = live.endsAt === null ? null : Date.parse(live.endsAt);
  const sameEnd = endsAt !== null && Math.abs(endsAt - Date.parse(conversion.expiresAt)) < 1000;
  return {
    discountId: discount.discountId,
    action: `${discount.status === "EXPIRED" ? "the code was reactivated" : "the code was already active"}${
      sameEnd
        ? ""
        : `; Shopify's end date is ${live.endsAt ?? "none"}, not the coupon's ${conversion.expiresAt}: correct it in the Shopify admin`
    }`,
  };
}

async function voidCoupon(
  deps: ResolutionDependencies,
  conversion: ConversionRecord,
  coupon: CouponRecord | undefined,
  claim: ResolutionRecord,
): Promise<ShopifyResult> {
  const reward = conversion.reward;
  if (reward?.coupon.type === "custom") {
    const handoff = deps.couponHandoff ?? new AuditOutboxCouponHandoff(deps.audit);
    await handoff.revoked({
      schemaVersion: 1,
      code: conversion.code,
      conversionId: conversion.conversionId,
      customerId: conversion.customerId,
      rewardId: reward.rewardId,
      reason: "compensated",
      // Fixed per request, so a continuation finds its revocation written instead of adding one.
      revokedAt: claim.startedAt,
    });
    return {
      discountId: `custom:${conversion.conversionId}`,
      action: "the merchant's integration was told the coupon is void (loyalty.coupon.revoked, compensated)",
    };
  }
  try {
    const deleted = await deps.discounts.deleteDiscountByCode(conversion.code, conversion.conversionId);
    return {
      discountId: coupon?.discountId ?? conversion.discountId,
      action: deleted ? "the code was deleted" : "no code of this conversion exists in Shopify",
    };
  } catch (deletion) {
    // The goal is a code nobody can use: deactivated will do, with the reason on record.
    let discountId: string | undefined;
    try {
      discountId = await deps.discounts.deactivateDiscountByCode(conversion.code, conversion.conversionId);
    } catch {
      throw deletion;
    }
    const why = deletion instanceof Error ? deletion.message : String(deletion);
    return {
      discountId: discountId ?? coupon?.discountId,
      action: `the code could not be deleted (${why}); it is kept deactivated`,
    };
  }
}

// ---- records ----

function couponChange(
  outcome: ResolutionOutcome,
  conversion: ConversionRecord,
  coupon: CouponRecord | undefined,
  discountId: string | undefined,
  resolvedAt: string,
  resolvedBy: string,
): CouponChange {
  if (coupon?.status === "used") return { kind: "none" };
  if (outcome === "points_not_taken") {
    return coupon
      ? {
          kind: "update",
          code: coupon.code,
          expected: "inactive",
          patch: {
            status: "cancelled",
            cancelledAt: resolvedAt,
            cancelledBy: resolvedBy,
            cancelReason: "points_not_taken",
          },
        }
      : { kind: "none" };
  }
  if (coupon) return { kind: "update", code: coupon.code, expected: "inactive", patch: { status: "active" } };
  if (!discountId) throw new Error(`No discount id for the coupon of ${conversion.conversionId}`);
  return {
    kind: "create",
    coupon: {
      code: conversion.code,
      conversionId: conversion.conversionId,
      customerId: conversion.customerId,
      customerGid: conversion.customerGid,
      discountId,
      amount: conversion.amount,
      currency: conversion.currency,
      pointsUsed: conversion.points,
      type: conversion.reward?.coupon.type ?? "fixed_discount",
      ...(conversion.rewardId !== undefined ? { rewardId: conversion.rewardId } : {}),
      status: "active",
      startsAt: conversion.startsAt,
      expiresAt: conversion.expiresAt,
    },
  };
}

function couponStatusAfter(change: CouponChange, coupon: CouponRecord | undefined) {
  switch (change.kind) {
    case "none":
      return coupon?.status;
    case "update":
      return change.patch.status ?? coupon?.status;
    case "create":
      return change.coupon.status;
  }
}

function conversionFields(
  outcome: ResolutionOutcome,
  conversion: ConversionRecord,
  evidence: PosEvidence,
  discountId: string | undefined,
  answer: ResolutionAnswer,
): ResolvedConversionFields {
  const resolution = {
    resolvedBy: answer.resolvedBy,
    resolvedAt: answer.resolvedAt,
    resolutionNote: answer.note,
    // Honoured or voided, the code is no longer a live discount left by a failed deactivation.
    ...(conversion.couponLive ? { couponLive: false } : {}),
  };
  if (outcome === "points_not_taken") {
    return {
      ...resolution,
      failure: {
        code: "pos_unavailable",
        detail: "The store's point system did not take the points; please try again",
      },
    };
  }
  return {
    ...resolution,
    ...(discountId ? { discountId } : {}),
    // Known from the POS: later reconciliations must see this subtraction as this conversion's.
    ...(evidence.outcome === "applied" && evidence.transactionHeadIds
      ? { transactionHeadIds: evidence.transactionHeadIds }
      : {}),
    ...(conversion.balanceAfter === undefined && conversion.balanceBefore !== undefined
      ? { balanceAfter: conversion.balanceBefore - conversion.points }
      : {}),
  };
}

// ---- after the commit ----

/**
 * What the customer-facing records need once the outcome stands; failures are recorded, never
 * undo the resolution. `points_taken`: the customer's coupon record in Shopify. `points_not_taken`:
 * the day's conversion allowance goes back, as for any conversion that took no points.
 */
async function afterCommit(
  deps: ResolutionDependencies,
  conversion: ConversionRecord,
  answer: ResolutionAnswer,
  discountId: string | undefined,
) {
  if (answer.status === "compensated") {
    try {
      await deps.conversions.releaseReservation(conversion.conversionId, conversion.customerId, {
        refundDailyPoints: { shopDate: conversion.shopDate, points: conversion.points },
      });
    } catch (error) {
      // The lease expires by itself; the day's allowance stays used until the shop's midnight.
      logger.warn("resolution follow-up failed", {
        conversionId: conversion.conversionId,
        status: answer.status,
        error: error instanceof Error ? error.message : String(error),
      });
    }
    return;
  }
  if (answer.coupon?.status !== "active" || isCustom(conversion) || !discountId) return;
  try {
    await deps.records.upsert(conversion.customerGid, {
      code: conversion.code,
      amount: conversion.amount,
      currency: conversion.currency,
      points_used: conversion.points,
      created_at: conversion.startsAt,
      expires_at: conversion.expiresAt,
      status: "active",
      discount_id: discountId,
      conversion_id: conversion.conversionId,
      ...(conversion.reward
        ? { type: conversion.reward.coupon.type, reward_id: conversion.reward.rewardId }
        : {}),
    });
    await deps.conversions.updateConversion(conversion.conversionId, ["completed"], { metafieldSaved: true });
  } catch (error) {
    // As in the saga: the coupon stands, the trail says so and the admins are alerted.
    await recordNotSaved(deps, conversion, error instanceof Error ? error.message : String(error)).catch(
      (reportError: unknown) =>
        logger.warn("resolution follow-up not reported", {
          conversionId: conversion.conversionId,
          error: reportError instanceof Error ? reportError.message : String(reportError),
        }),
    );
  }
}

// ---- audit ----

function trailOf(
  request: Omit<ResolutionRequest, "conversionId">,
  conversion: ConversionRecord,
  evidence: PosEvidence,
  shopify: ShopifyResult,
  answer: ResolutionAnswer,
): ResolutionTrail {
  const discountId = shopify.discountId ?? conversion.discountId;
  const transactions = evidence.transactionHeadIds ?? conversion.transactionHeadIds;
  const externalIds = {
    ...(discountId ? { shopifyDiscountId: discountId } : {}),
    ...(transactions?.length ? { smaregiTransactionHeadIds: transactions } : {}),
  };
  return {
    detail: `${answer.resolvedBy} resolved ${request.outcome}: conversion ${answer.status}, coupon ${answer.coupon?.status ?? "none"}; POS ${evidence.outcome}: ${evidence.reason}; Shopify: ${shopify.action}`,
    data: {
      outcome: request.outcome,
      note: request.note,
      status: answer.status,
      couponStatus: answer.coupon?.status ?? null,
      posEvidence: evidence.outcome,
      posEvidenceDetail: evidence.reason,
      posReadable: evidence.outcome !== "unreadable",
      posBalance: evidence.balance ?? null,
      shopify: shopify.action,
      shopifyDiscountId: discountId ?? null,
      idempotencyKey: request.idempotencyKey,
      adminSubject: request.admin.id,
    },
    ...(Object.keys(externalIds).length > 0 ? { externalIds } : {}),
  };
}
