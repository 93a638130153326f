import {
  type AdjustmentDependencies,
  settledAdjustment,
  systemRequester,
  unansweredAdjustments,
} from "../admin/point-adjustments";
import { couldOwn, findLateChange, LATE_CHANGE_HORIZON_MS, rivalsReason } from "../pos/late-change";
import type { ConversionRecord, ConversionStore } from "../store";
import { recordOnce, type SagaState } from "./saga";

/**
 * A deduction that lands after its conversion was given up (`pos/late-change`): no coupon, and
 * points gone. After the compensation, `ReturnLateDeduction` looks once more, minutes later. A
 * subtraction only this conversion can own is claimed by it (so no later reconciliation takes it
 * for its own) and the points are given back through a point adjustment keyed by the conversion:
 * written before the POS is called, sent once, reconciled when its answer is lost, never sent twice
 * (`admin/point-adjustments`). One that another record with an unanswered change could own moves
 * nothing: the admins are alerted.
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

export async function returnLateDeduction(
  deps: LateDeductionDependencies,
  state: SagaState,
): Promise<LateDeductionCheck> {
  const stored = await deps.conversions.getConversion(state.conversionId);
  if (!stored?.deductionStartedAt) return { found: "none" };
  const key = `late-deduction-${stored.conversionId}`;
  let claimed = stored;
  let transactionHeadId = stored.transactionHeadIds?.[0];
  // When the POS stamped it; a repeat of this step after the claim, which did not keep it, takes now.
  let stampedAt = deps.now().getTime();
  if (transactionHeadId === undefined) {
    const late = await findLateChange(deps, {
      posCustomerId: state.prepared?.balance.posCustomerId ?? stored.posCustomerId ?? stored.memberNumber,
      customerId: stored.customerId,
      owner: { kind: "conversion", id: stored.conversionId },
      direction: "subtraction",
      points: stored.points,
      startedAt: new Date(stored.deductionStartedAt),
      clockSkewMs: deps.clockSkewMs,
    });
    // From here on, a subtraction stamped later is not looked for as this conversion's.
    const recheck = { deductionRecheckedAt: deps.now().toISOString() };
    if (late.found === "none") {
      await deps.conversions.updateConversion(stored.conversionId, [stored.status], recheck);
      await note(deps, stored, "succeeded", `no late subtraction: ${late.reason}`);
      return { found: "none" };
    }
    if (late.found === "ambiguous") {
      await deps.conversions.updateConversion(stored.conversionId, [stored.status], recheck);
      return ambiguous(deps, stored, late.transactionHeadIds, late.reason);
    }
    // Claimed before the rivals are asked (`pos/late-change`): no reconciliation after this
    // instant takes it for its own.
    claimed = await deps.conversions.updateConversion(stored.conversionId, [stored.status], {
      ...recheck,
      transactionHeadIds: [late.transactionHeadId],
    });
    transactionHeadId = late.transactionHeadId;
    stampedAt = Date.parse(late.at);
    await recordOnce(deps, {
      conversionId: stored.conversionId,
      code: stored.code,
      type: "points.deducted_late",
      outcome: "succeeded",
      detail: `after the conversion was given up: ${late.reason}`,
      smaregiTransactionHeadIds: [late.transactionHeadId],
      at: new Date(late.at),
      eventId: `points-deducted-late-${stored.conversionId}`,
    });
  }
  // Until the return is written, a rival gives the subtraction up again: a person decides.
  if (!(await deps.adjustments.get(stored.customerId, key))) {
    const owners = await deps.claimed.of(stored.customerId, { kind: "conversion", id: stored.conversionId });
    const rivals = [
      ...(owners.has(transactionHeadId) ? ["a record that owns it already"] : []),
      ...(await rivalConversions(deps, stored, stampedAt)),
      ...(await unansweredAdjustments(
        deps.adjustments,
        stored.customerId,
        -stored.points,
        stampedAt,
        deps.clockSkewMs,
      )),
    ];
    if (rivals.length > 0) {
      await deps.conversions.updateConversion(stored.conversionId, [stored.status], {
        transactionHeadIds: [],
      });
      return ambiguous(deps, stored, [transactionHeadId], rivalsReason(transactionHeadId, rivals));
    }
  }
  await deps.conversions.updateConversion(stored.conversionId, [stored.status], {
    failure: {
      code: stored.failure?.code ?? "pos_unavailable",
      detail:
        "The store's point system took the points after the conversion had been given up; the shop gives them back",
    },
  });
  return giveBack(deps, claimed, transactionHeadId, key);
}

/** A late subtraction that may be this conversion's, or another's: nothing moves, the admins decide. */
async function ambiguous(
  deps: LateDeductionDependencies,
  conversion: ConversionRecord,
  transactionHeadIds: string[],
  reason: string,
): Promise<LateDeductionCheck> {
  await note(deps, conversion, "unknown", `a late subtraction may be this conversion's: ${reason}`);
  await deps.alerts.raise(
    "needs_review",
    `Conversion ${conversion.conversionId}: the POS may have taken its points after it was given up`,
    {
      conversionId: conversion.conversionId,
      customerId: conversion.customerId,
      points: conversion.points,
      deductionStartedAt: conversion.deductionStartedAt,
      transactionHeadIds,
      reason,
      action:
        "Compare the customer's POS subtractions since deductionStartedAt with their conversions; give back points no coupon stands for with a point adjustment.",
    },
  );
  return { found: "ambiguous" };
}

/**
 * The customer's other conversions of the same points whose deduction could be this subtraction
 * and could have been stamped then: unanswered (in flight, parked, or compensated after
 * reconciliation), or completed without knowing its own subtraction (a POS answer without
 * transaction ids). A declined deduction was answered and owns nothing; a completed one that knows
 * its subtraction owns that one.
 */
async function rivalConversions(
  deps: LateDeductionDependencies,
  conversion: ConversionRecord,
  stampedAt: number,
): Promise<string[]> {
  const { items } = await deps.conversions.listConversionsByCustomer(conversion.customerId, { limit: 100 });
  return items
    .filter(
      (other) =>
        other.conversionId !== conversion.conversionId &&
        other.points === conversion.points &&
        (other.transactionHeadIds?.length ?? 0) === 0 &&
        (other.status === "reserved" ||
          other.status === "needs_review" ||
          other.status === "completed" ||
          other.failure?.code === "pos_unavailable") &&
        couldOwn(other.deductionStartedAt, stampedAt, {
          clockSkewMs: deps.clockSkewMs,
          horizonMs: LATE_CHANGE_HORIZON_MS,
          recheckedAt: other.deductionRecheckedAt,
        }),
    )
    .map((other) => `conversion ${other.conversionId}`);
}

async function giveBack(
  deps: LateDeductionDependencies,
  conversion: ConversionRecord,
  transactionHeadId: string,
  idempotencyKey: string,
): Promise<LateDeductionCheck> {
  const result = await settledAdjustment(deps, {
    admin: systemRequester("late-deduction-return"),
    actor: "system",
    customerId: conversion.customerId,
    idempotencyKey,
    points: conversion.points,
    reason: "correction",
    note: `Returns the ${conversion.points} points of conversion ${conversion.conversionId}: POS transaction ${transactionHeadId} took them after the conversion had been given up`,
  });
  if (result.outcome === "unsettled") {
    await recordOnce(deps, {
      conversionId: conversion.conversionId,
      code: conversion.code,
      type: "points.returned",
      outcome: "unknown",
      detail: result.reason,
      eventId: `points-returned-${conversion.conversionId}`,
    });
    await deps.alerts.raise(
      "needs_review",
      `Conversion ${conversion.conversionId}: its late deduction's return is not settled`,
      {
        conversionId: conversion.conversionId,
        customerId: conversion.customerId,
        points: conversion.points,
        transactionHeadId,
        idempotencyKey,
        reason: result.reason,
        action:
          "Check the customer's POS additions since the return's first attempt; send it again only if it is not there.",
      },
    );
    return { found: "this_conversion", transactionHeadId, returned: "needs_review" };
  }
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
