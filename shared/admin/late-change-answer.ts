import { PosDeclined } from "../errors";
import type { RecordRef } from "../pos/evidence";
import { type ClaimedChange, type LateChange, rivalsReason } from "../pos/late-change";
import type { AdjustmentRecord } from "./adjustment-records";
import {
  type AdjustmentDependencies,
  settledAdjustment,
  systemRequester,
  unansweredAdjustments,
} from "./point-adjustments";

/**
 * How a saga answers a POS point change that landed after it gave up on it (`pos/late-change`): a
 * late deduction is given back, a late first refund taken back. One procedure for both:
 * 1. the record claims the change before anything else is asked, so no reconciliation after that
 *    instant takes it for its own;
 * 2. until the answer is written, the rivals are asked: a record that owns the change already,
 *    another record of the kind whose unanswered change of the same points could have been stamped
 *    then, a staff adjustment of that size whose answer was lost. Every record marks its attempt
 *    before it reads the POS to reconcile, so one that read before the claim shows as a rival here,
 *    and one that reads after it finds the change owned. With a rival the claim is given up again
 *    and a person decides;
 * 3. otherwise a point adjustment in the other direction answers it, keyed by the record: written
 *    before the POS is called, sent once, reconciled when its answer is lost and never sent twice
 *    (`settledAdjustment`). A POS that refuses it (the customer has spent the points) moves nothing
 *    more; a person decides.
 * A repeat of the step (a retry after its invocation died) takes up where the record shows it
 * stopped: it reads the claimed change's stamp from the POS again (the rivals are asked about that
 * instant, not about the repeat's), and writes the claim and its trail entry again, both idempotent.
 */

/** The record a late change may be the lost change of, as the step that looks for it sees it. */
export interface LateChangeOwner {
  ref: RecordRef;
  customerId: string;
  /** Its lost change, signed as the POS lists it (a deduction's is negative). */
  change: number;
  /** The change an earlier run of this step claimed, if any. */
  claimed: string | undefined;
  /** Looks for the late change, stamping the record rechecked (at the latest with the claim). */
  look(): Promise<LateChange>;
  /** The change it claimed, as the POS lists it (`pos/late-change` `findClaimedChange`). */
  recall(transactionHeadId: string): Promise<ClaimedChange | undefined>;
  /** Records the change as this record's (stamping it rechecked), or with `undefined` gives it up. */
  claim(late: ClaimedChange | undefined): Promise<void>;
  /** Other records of its kind whose unanswered change could have been stamped at `stampedAt`. */
  rivals(stampedAt: number): Promise<string[]>;
  /** The adjustment that answers the change: its key, who asks (the system) and its note. */
  answer: { idempotencyKey: string; requester: string; note(transactionHeadId: string): string };
  /** What the record's trail and the admins are told at each turn. */
  tell: LateChangeNarrator;
}

export interface LateChangeNarrator {
  /** The look found nothing to answer. */
  nothing(reason: string): Promise<void>;
  /** The change is claimed as this record's lost one (told again by a repeat: once on the trail). */
  claimed(late: ClaimedChange): Promise<void>;
  /** Several could be it, or another record could own it: nothing moves, the admins decide. */
  undecided(transactionHeadIds: string[], reason: string): Promise<void>;
  /** Just before the adjustment is asked for. */
  answering?(): Promise<void>;
  /** What became of the adjustment. */
  answered(answer: LateChangeAnswer, transactionHeadId: string): Promise<void>;
}

export type LateChangeAnswer =
  | { outcome: "applied" | "needs_review"; adjustment: AdjustmentRecord }
  /** `unsettled`: its answer was lost and the POS does not list it; `declined`: the POS refused it (why). */
  | { outcome: "unsettled" | "declined"; reason: string };

export type LateChangeResult =
  | { found: "none" | "ambiguous" }
  | { found: "one"; transactionHeadId: string; answer: LateChangeAnswer["outcome"] };

export async function answerLateChange(
  deps: AdjustmentDependencies,
  owner: LateChangeOwner,
): Promise<LateChangeResult> {
  let transactionHeadId: string;
  let late: ClaimedChange | undefined;
  if (owner.claimed === undefined) {
    const found = await owner.look();
    if (found.found === "none") {
      await owner.tell.nothing(found.reason);
      return { found: "none" };
    }
    if (found.found === "ambiguous") {
      await owner.tell.undecided(found.transactionHeadIds, found.reason);
      return { found: "ambiguous" };
    }
    transactionHeadId = found.transactionHeadId;
    late = found;
  } else {
    transactionHeadId = owner.claimed;
    late = await owner.recall(transactionHeadId);
  }
  if (late) {
    await owner.claim(late);
    await owner.tell.claimed(late);
  }
  if (!(await deps.adjustments.get(owner.customerId, owner.answer.idempotencyKey))) {
    // Asked about the instant the POS stamped it; a claimed change it no longer lists is a question.
    const doubt = late
      ? await rivalsOf(deps, owner, late)
      : `the POS no longer lists POS transaction ${transactionHeadId}, which an earlier run claimed`;
    if (doubt) {
      await owner.claim(undefined);
      await owner.tell.undecided([transactionHeadId], doubt);
      return { found: "ambiguous" };
    }
  }
  await owner.tell.answering?.();
  const answer = await answerWithAdjustment(deps, owner, transactionHeadId);
  await owner.tell.answered(answer, transactionHeadId);
  return { found: "one", transactionHeadId, answer: answer.outcome };
}

/** Why the claimed change may be another record's, if it may. */
async function rivalsOf(
  deps: AdjustmentDependencies,
  owner: LateChangeOwner,
  late: ClaimedChange,
): Promise<string | undefined> {
  const stampedAt = Date.parse(late.at);
  const owners = await deps.claimed.of(owner.customerId, owner.ref);
  const rivals = [
    ...(owners.has(late.transactionHeadId) ? ["a record that owns it already"] : []),
    ...(await owner.rivals(stampedAt)),
    ...(await unansweredAdjustments(
      deps.adjustments,
      owner.customerId,
      owner.change,
      stampedAt,
      deps.clockSkewMs,
    )),
  ];
  return rivals.length > 0 ? rivalsReason(late.transactionHeadId, rivals) : undefined;
}

async function answerWithAdjustment(
  deps: AdjustmentDependencies,
  owner: LateChangeOwner,
  transactionHeadId: string,
): Promise<LateChangeAnswer> {
  try {
    return await settledAdjustment(deps, {
      admin: systemRequester(owner.answer.requester),
      actor: "system",
      customerId: owner.customerId,
      idempotencyKey: owner.answer.idempotencyKey,
      points: -owner.change,
      reason: "correction",
      note: owner.answer.note(transactionHeadId),
    });
  } catch (error) {
    if (!(error instanceof PosDeclined)) throw error;
    return { outcome: "declined", reason: error.message };
  }
}

/** The trail entry's outcome, words and POS transactions for an answer applied or gone to review. */
export function answerEntry(
  answer: Extract<LateChangeAnswer, { adjustment: AdjustmentRecord }>,
  words: { applied: string; pending: string },
): { outcome: "succeeded" | "unknown"; detail: string; smaregiTransactionHeadIds?: string[] } {
  const { adjustment } = answer;
  const ids = adjustment.transactionHeadIds ?? [];
  return {
    outcome: answer.outcome === "applied" ? "succeeded" : "unknown",
    detail:
      answer.outcome === "applied"
        ? `${words.applied} by point adjustment ${adjustment.adjustmentId}`
        : `point adjustment ${adjustment.adjustmentId} ${words.pending} needs review: ${adjustment.reviewReason ?? "the POS could not tell"}`,
    ...(ids.length > 0 ? { smaregiTransactionHeadIds: ids } : {}),
  };
}
