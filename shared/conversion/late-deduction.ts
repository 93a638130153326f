import { type AdjustmentDependencies, adjustPoints } from "../admin/point-adjustments";
import { findPointChange } from "../pos/evidence";
import type { ConversionRecord, ConversionStore } from "../store";
import { recordOnce, type SagaState } from "./saga";

/**
 * A deduction that lands after its conversion was given up. Smaregi's point change carries no
 * reference of ours, so an answer lost to a timeout is reconciled from the POS's transactions, and
 * "not applied" is concluded once the request could no longer land (the saga's settle time). A POS
 * that applies a request later still (a queue, a slow retry on its side) has then taken the points
 * of a conversion already compensated: no coupon, and points gone.
 *
 * After the compensation, `ReturnLateDeduction` looks once more, minutes later, for a subtraction of
 * exactly the points since the attempt that no record owns. When it can only be this conversion's, the
 * conversion claims it (so no later reconciliation takes it for its own) and the points are given
 * back through a point adjustment keyed by the conversion: written before the POS is called, sent
 * once, reconciled when its answer is lost, never sent twice (`admin/point-adjustments`). When it
 * could also be another conversion's whose deduction was not answered either, nothing is moved and
 * the admins are alerted.
 */

export type LateDeductionDependencies = AdjustmentDependencies & {
  conversions: Pick<ConversionStore, "getConversion" | "updateConversion" | "listConversionsByCustomer">;
};

/** ReturnLateDeduction's answer: what it found, and what became of the points. */
export interface LateDeductionCheck {
  found: "none" | "this_conversion" | "ambiguous";
  /** With `this_conversion`: the subtraction, and whether the points are back (`needs_review`: not known yet). */
  transactionHeadId?: string;
  returned?: "applied" | "needs_review";
}

/** A deduction landing later than this after its attempt is not looked for (an execution's hour). */
const HORIZON_MS = 60 * 60_000;

/** How the service asks for the return: recorded as the system, never as a person. */
const RETURNER = { id: "system:late-deduction-return", roles: [] };

export const lateReturnKey = (conversionId: string) => `late-deduction-${conversionId}`;

export async function returnLateDeduction(
  deps: LateDeductionDependencies,
  state: SagaState,
): Promise<LateDeductionCheck> {
  const stored = await deps.conversions.getConversion(state.conversionId);
  if (!stored?.deductionStartedAt) return { found: "none" };
  // A repeat of this step after the claim: the return is keyed by the conversion, so it is not sent twice.
  const claimed = stored.transactionHeadIds?.[0];
  if (claimed !== undefined) return giveBack(deps, stored, claimed);

  const startedAt = new Date(stored.deductionStartedAt);
  const evidence = await findPointChange(deps, {
    posCustomerId: state.prepared?.balance.posCustomerId ?? stored.posCustomerId ?? stored.memberNumber,
    customerId: stored.customerId,
    owner: { kind: "conversion", id: stored.conversionId },
    direction: "subtraction",
    points: stored.points,
    startedAt,
    // The state machine waited: anything sent by then has landed or will not be looked for.
    settleMs: 0,
    clockSkewMs: deps.clockSkewMs,
    window: "since_first_attempt",
    ownerLabel: "this conversion's",
  });
  if (evidence.outcome === "unreadable") throw evidence.cause;
  const [candidate] = evidence.transactionHeadIds ?? [];
  // From here on, a subtraction stamped later is not looked for as this conversion's.
  const recheck = { deductionRecheckedAt: deps.now().toISOString() };
  if (candidate === undefined) {
    await deps.conversions.updateConversion(stored.conversionId, [stored.status], recheck);
    await note(deps, stored, "succeeded", `no late subtraction: ${evidence.reason}`);
    return { found: "none" };
  }
  const rivals =
    evidence.outcome === "applied" && evidence.transactionAt !== undefined
      ? await rivalsOf(deps, stored, Date.parse(evidence.transactionAt))
      : [];
  if (evidence.outcome !== "applied" || rivals.length > 0) {
    const reason =
      evidence.outcome === "applied"
        ? `POS subtraction ${candidate} of ${stored.points} points could also be that of conversion(s) ${rivals.join(", ")}, whose deductions were not answered either`
        : evidence.reason;
    await deps.conversions.updateConversion(stored.conversionId, [stored.status], recheck);
    await note(deps, stored, "unknown", `a late subtraction may be this conversion's: ${reason}`);
    await deps.alerts.raise(
      "needs_review",
      `Conversion ${stored.conversionId}: the POS may have taken its points after it was given up`,
      {
        conversionId: stored.conversionId,
        customerId: stored.customerId,
        points: stored.points,
        deductionStartedAt: stored.deductionStartedAt,
        transactionHeadIds: evidence.transactionHeadIds,
        reason,
        action:
          "Compare the customer's POS subtractions since deductionStartedAt with their conversions; give back points no coupon stands for with a point adjustment.",
      },
    );
    return { found: "ambiguous" };
  }

  // Claimed first: from now on no reconciliation takes this subtraction for another record's.
  const claimedNow = await deps.conversions.updateConversion(stored.conversionId, [stored.status], {
    ...recheck,
    transactionHeadIds: [candidate],
    failure: {
      code: stored.failure?.code ?? "pos_unavailable",
      detail:
        "The store's point system took the points after the conversion had been given up; the shop gives them back",
    },
  });
  await recordOnce(deps, {
    conversionId: stored.conversionId,
    code: stored.code,
    type: "points.deducted_late",
    outcome: "succeeded",
    detail: `after the conversion was given up: ${evidence.reason}`,
    smaregiTransactionHeadIds: [candidate],
    ...(evidence.transactionAt ? { at: new Date(evidence.transactionAt) } : {}),
    eventId: `points-deducted-late-${stored.conversionId}`,
  });
  return giveBack(deps, claimedNow, candidate);
}

/**
 * Other conversions of the customer that could own the subtraction: the same points, a deduction
 * sent before it was stamped (less the clock skew) and within the horizon, and no subtraction of
 * their own, in flight or with an outcome nobody heard, and not rechecked before it was stamped
 * (their own recheck would have found it, or no longer looks). A declined deduction was answered
 * and owns nothing; a completed one owns its own subtraction.
 */
async function rivalsOf(
  deps: LateDeductionDependencies,
  conversion: ConversionRecord,
  stampedAt: number,
): Promise<string[]> {
  const skew = deps.clockSkewMs ?? 60_000;
  const { items } = await deps.conversions.listConversionsByCustomer(conversion.customerId, { limit: 100 });
  return items
    .filter((other) => {
      if (other.conversionId === conversion.conversionId || other.points !== conversion.points) return false;
      if (other.deductionStartedAt === undefined || (other.transactionHeadIds?.length ?? 0) > 0) return false;
      const started = Date.parse(other.deductionStartedAt);
      if (started - skew > stampedAt || started < stampedAt - HORIZON_MS) return false;
      if (other.deductionRecheckedAt !== undefined && Date.parse(other.deductionRecheckedAt) < stampedAt) {
        return false;
      }
      return (
        other.status === "reserved" ||
        other.status === "needs_review" ||
        other.failure?.code === "pos_unavailable"
      );
    })
    .map((other) => other.conversionId);
}

async function giveBack(
  deps: LateDeductionDependencies,
  conversion: ConversionRecord,
  transactionHeadId: string,
): Promise<LateDeductionCheck> {
  // AdjustmentNotApplied (nothing changed, provably) is thrown: the state machine retries, and the
  // same key sends again only after reading the POS once more.
  const result = await adjustPoints(deps, {
    admin: RETURNER,
    actor: "system",
    customerId: conversion.customerId,
    idempotencyKey: lateReturnKey(conversion.conversionId),
    points: conversion.points,
    reason: "correction",
    note: `Returns the ${conversion.points} points of conversion ${conversion.conversionId}: POS transaction ${transactionHeadId} took them after the conversion had been given up`,
  });
  const adjustment = result.adjustment;
  const returned = result.outcome === "applied";
  await recordOnce(deps, {
    conversionId: conversion.conversionId,
    code: conversion.code,
    type: "points.returned",
    outcome: returned ? "succeeded" : "unknown",
    detail: returned
      ? `${conversion.points} points given back by point adjustment ${adjustment.adjustmentId}`
      : `point adjustment ${adjustment.adjustmentId} giving back ${conversion.points} points needs review: ${adjustment.reviewReason ?? "the POS could not tell"}`,
    ...(adjustment.transactionHeadIds?.length
      ? { smaregiTransactionHeadIds: adjustment.transactionHeadIds }
      : {}),
    eventId: `points-returned-${conversion.conversionId}`,
  });
  return { found: "this_conversion", transactionHeadId, returned: returned ? "applied" : "needs_review" };
}

async function note(
  deps: LateDeductionDependencies,
  conversion: ConversionRecord,
  outcome: "succeeded" | "unknown",
  detail: string,
): Promise<void> {
  await recordOnce(deps, {
    conversionId: conversion.conversionId,
    code: conversion.code,
    type: "deduction.rechecked",
    outcome,
    detail,
    eventId: `deduction-rechecked-${conversion.conversionId}`,
  });
}
