import { answerEntry, answerLateChange, type LateChangeNarrator } from "../admin/late-change-answer";
import type { AdjustmentDependencies } from "../admin/point-adjustments";
import {
  couldOwn,
  findClaimedChange,
  findLateChange,
  LATE_CHANGE_HORIZON_MS,
  type LateChangeSought,
} from "../pos/late-change";
import type { ConversionRecord, ConversionStore } from "../store";
import { recordOnce, type SagaState } from "./saga";

/**
 * A deduction that lands after its conversion was given up (`pos/late-change`): no coupon, and
 * points gone. After the compensation, `ReturnLateDeduction` looks once more, minutes later. A
 * subtraction only this conversion can own is claimed by it and the points are given back through
 * a point adjustment keyed by the conversion (`admin/late-change-answer`). One that another record
 * with an unanswered change could own moves nothing: the admins are alerted.
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
  const deductionStartedAt = stored?.deductionStartedAt;
  if (!stored || !deductionStartedAt) return { found: "none" };
  const update = (changes: Parameters<ConversionStore["updateConversion"]>[2]) =>
    deps.conversions.updateConversion(stored.conversionId, [stored.status], changes);
  // From the look on, a subtraction stamped later is not looked for as this conversion's.
  const recheck = () => ({ deductionRecheckedAt: deps.now().toISOString() });
  const sought: LateChangeSought = {
    posCustomerId: state.prepared?.balance.posCustomerId ?? stored.posCustomerId ?? stored.memberNumber,
    customerId: stored.customerId,
    owner: { kind: "conversion", id: stored.conversionId },
    direction: "subtraction",
    points: stored.points,
    startedAt: new Date(deductionStartedAt),
    clockSkewMs: deps.clockSkewMs,
  };
  const result = await answerLateChange(deps, {
    ref: { kind: "conversion", id: stored.conversionId },
    customerId: stored.customerId,
    change: -stored.points,
    claimed: stored.transactionHeadIds?.[0],
    look: async () => {
      const late = await findLateChange(deps, sought);
      if (late.found !== "one") await update(recheck());
      return late;
    },
    recall: (transactionHeadId) => findClaimedChange(deps, sought, transactionHeadId),
    claim: async (late) => {
      await update(
        late ? { ...recheck(), transactionHeadIds: [late.transactionHeadId] } : { transactionHeadIds: [] },
      );
    },
    rivals: (stampedAt) => rivalConversions(deps, stored, stampedAt),
    answer: {
      idempotencyKey: `late-deduction-${stored.conversionId}`,
      requester: "late-deduction-return",
      note: (transactionHeadId) =>
        `Returns the ${stored.points} points of conversion ${stored.conversionId}: POS transaction ${transactionHeadId} took them after the conversion had been given up`,
    },
    tell: narrator(deps, stored, update),
  });
  if (result.found !== "one") return { found: result.found };
  return {
    found: "this_conversion",
    transactionHeadId: result.transactionHeadId,
    returned: result.answer === "applied" ? "applied" : "needs_review",
  };
}

/** The conversion's trail and the admins' alerts, at each turn of the answer. */
function narrator(
  deps: LateDeductionDependencies,
  conversion: ConversionRecord,
  update: (changes: Parameters<ConversionStore["updateConversion"]>[2]) => Promise<unknown>,
): LateChangeNarrator {
  const { conversionId, customerId, points } = conversion;
  const trail = (entry: Omit<Parameters<typeof recordOnce>[1], "conversionId" | "code">) =>
    recordOnce(deps, { conversionId, code: conversion.code, ...entry });
  const rechecked = (outcome: "succeeded" | "unknown", detail: string) =>
    trail({ type: "deduction.rechecked", outcome, detail, eventId: `deduction-rechecked-${conversionId}` });
  const returned = `points-returned-${conversionId}`;
  return {
    nothing: (reason) => rechecked("succeeded", `no late subtraction: ${reason}`),
    claimed: (late) =>
      trail({
        type: "points.deducted_late",
        outcome: "succeeded",
        detail: `after the conversion was given up: ${late.reason}`,
        smaregiTransactionHeadIds: [late.transactionHeadId],
        at: new Date(late.at),
        eventId: `points-deducted-late-${conversionId}`,
      }),
    undecided: async (transactionHeadIds, reason) => {
      await rechecked("unknown", `a late subtraction may be this conversion's: ${reason}`);
      await deps.alerts.raise(
        "needs_review",
        `Conversion ${conversionId}: the POS may have taken its points after it was given up`,
        {
          conversionId,
          customerId,
          points,
          deductionStartedAt: conversion.deductionStartedAt,
          transactionHeadIds,
          reason,
          action:
            "Compare the customer's POS subtractions since deductionStartedAt with their conversions; give back points no coupon stands for with a point adjustment.",
        },
      );
    },
    answering: async () => {
      await update({
        failure: {
          code: conversion.failure?.code ?? "pos_unavailable",
          detail:
            "The store's point system took the points after the conversion had been given up; the shop gives them back",
        },
      });
    },
    answered: async (answer, transactionHeadId) => {
      if (!("adjustment" in answer)) {
        const detail =
          answer.outcome === "declined"
            ? `the POS refused to give back ${points} points: ${answer.reason}`
            : answer.reason;
        await trail({ type: "points.returned", outcome: "unknown", detail, eventId: returned });
        await deps.alerts.raise(
          "needs_review",
          `Conversion ${conversionId}: its late deduction's return is not settled`,
          {
            conversionId,
            customerId,
            points,
            transactionHeadId,
            idempotencyKey: `late-deduction-${conversionId}`,
            reason: detail,
            action:
              "Check the customer's POS additions since the return's first attempt; send it again only if it is not there.",
          },
        );
        return;
      }
      await trail({
        type: "points.returned",
        eventId: returned,
        ...answerEntry(answer, {
          applied: `${points} points given back`,
          pending: `giving back ${points} points`,
        }),
      });
    },
  };
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
