import type { EvidenceSource, RecordRef } from "./evidence";
import { pointDivisions } from "./ports";

/**
 * A point change that lands after the saga gave up on it. Smaregi's point change carries no
 * reference of ours, so a change whose answer was lost is reconciled from the POS's transactions,
 * and "not applied" is concluded once the request could no longer land. A POS that queues a request
 * can apply it later still. Minutes after a saga acted on "not applied", it looks once more: a
 * change of exactly the points since the first attempt that no record owns may be the lost one.
 *
 * It is the lost one only if no other record with an unanswered change of the same points could
 * own it, and that is asked after the record has claimed it: every record marks its attempt before
 * it reads the POS to reconcile, so one that read before the claim (and could take the change for
 * its own) already shows as a rival then, and one that reads after it finds the change owned.
 */

export interface LateChangeSought {
  /** The member at the POS. */
  posCustomerId: string;
  /** The Shopify customer and the record the change would belong to. */
  customerId: string;
  owner: RecordRef;
  direction: "subtraction" | "addition";
  /** Its size, positive. */
  points: number;
  /** When the first attempt began. */
  startedAt: Date;
  /** Tolerance between our clock and the POS's transaction times (60 s when not given). */
  clockSkewMs?: number;
  /** The record's own changes already known (a refund's answered attempt): never taken for the lost one. */
  own?: readonly string[];
}

/** A change landing later than this after its first attempt is not looked for (an execution's hour). */
export const LATE_CHANGE_HORIZON_MS = 60 * 60_000;

/** A change found as the lost one: its POS transaction and the POS's stamp. */
export interface ClaimedChange {
  reason: string;
  transactionHeadId: string;
  at: string;
}

export type LateChange =
  | { found: "none"; reason: string }
  | { found: "ambiguous"; reason: string; transactionHeadIds: string[] }
  | ({ found: "one" } & ClaimedChange);

const shapes = {
  subtraction: { division: pointDivisions.pointsSubtracted, sign: -1, verb: "subtracted" },
  addition: { division: pointDivisions.pointsAdded, sign: 1, verb: "added" },
} as const;

/**
 * Reads the POS once (its failures are thrown: the step is retried) and the records that own
 * transactions. The caller has waited well past the change's settle time.
 */
export async function findLateChange(source: EvidenceSource, sought: LateChangeSought): Promise<LateChange> {
  const shape = shapes[sought.direction];
  const since = sinceOf(sought);
  const [owned, transactions] = await Promise.all([
    source.claimed.of(sought.customerId, sought.owner),
    changesSince(source, sought),
  ]);
  const own = new Set(sought.own ?? []);
  const candidates = transactions.filter(
    (tx) =>
      tx.points === shape.sign * sought.points &&
      Date.parse(tx.at) >= since.getTime() &&
      !owned.has(tx.transactionHeadId) &&
      !own.has(tx.transactionHeadId),
  );
  const noun = `POS ${sought.direction}`;
  const [only] = candidates;
  if (only === undefined) {
    return {
      found: "none",
      reason: `no ${noun} of ${sought.points} points since ${since.toISOString()} owned by no record`,
    };
  }
  if (candidates.length > 1) {
    return {
      found: "ambiguous",
      reason: `${candidates.length} ${noun}s of ${sought.points} points since ${since.toISOString()} owned by no record`,
      transactionHeadIds: candidates.map((tx) => tx.transactionHeadId),
    };
  }
  return { found: "one", ...changeOf(only, sought) };
}

/**
 * The change a record claimed, as the POS lists it (its stamp), for a repeat of the step that
 * claimed it; `undefined` when the POS no longer lists it where it was found.
 */
export async function findClaimedChange(
  source: Pick<EvidenceSource, "pos">,
  sought: LateChangeSought,
  transactionHeadId: string,
): Promise<ClaimedChange | undefined> {
  const transactions = await changesSince(source, sought);
  const found = transactions.find((tx) => tx.transactionHeadId === transactionHeadId);
  return found && changeOf(found, sought);
}

/** From when a change is looked for: its first attempt, less the clock skew (60 s when not given). */
const sinceOf = (sought: LateChangeSought) =>
  new Date(sought.startedAt.getTime() - (sought.clockSkewMs ?? 60_000));

/** The member's POS changes in the sought direction since then. */
const changesSince = (source: Pick<EvidenceSource, "pos">, sought: LateChangeSought) =>
  source.pos.listPointTransactions(sought.posCustomerId, {
    divisions: [shapes[sought.direction].division],
    since: sinceOf(sought),
    limit: 100,
  });

const changeOf = (
  tx: { transactionHeadId: string; at: string },
  sought: Pick<LateChangeSought, "direction" | "points">,
): ClaimedChange => ({
  reason: `POS transaction ${tx.transactionHeadId} ${shapes[sought.direction].verb} ${sought.points} points at ${tx.at}`,
  transactionHeadId: tx.transactionHeadId,
  at: tx.at,
});

/** Why a claimed change is not taken for the record's: others could own it. */
export const rivalsReason = (transactionHeadId: string, rivals: readonly string[]) =>
  `POS transaction ${transactionHeadId} could also be that of ${rivals.join(", ")}, whose change was not answered either`;

/** Whether another record's unanswered change, first sent at `startedAt`, could have been stamped at `stampedAt`. */
export function couldOwn(
  startedAt: string | undefined,
  stampedAt: number,
  options: { clockSkewMs?: number; horizonMs?: number; recheckedAt?: string },
): boolean {
  if (startedAt === undefined) return false;
  const started = Date.parse(startedAt);
  if (started - (options.clockSkewMs ?? 60_000) > stampedAt) return false;
  if (options.horizonMs !== undefined && started < stampedAt - options.horizonMs) return false;
  // Its own recheck, after this instant, would have found it; before, it no longer looks.
  return options.recheckedAt === undefined || Date.parse(options.recheckedAt) >= stampedAt;
}
