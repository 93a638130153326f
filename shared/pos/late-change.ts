import type { EvidenceSource, RecordRef } from "./evidence";
import { pointDivisions } from "./ports";

/**
 * A point change that lands after the saga gave up on it. Smaregi's point change carries no
 * reference of ours, so a change whose answer was lost is reconciled from the POS's transactions,
 * and "not applied" is concluded once the request could no longer land. A POS that queues a request
 * can apply it later still. Minutes after a saga acted on "not applied", it looks once more: a
 * change of exactly the points since the first attempt that no record owns, and that no other
 * record with an unanswered change of the same points could own, is the lost one.
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
  /** Other records that could own a change the POS stamped at this instant (ids, for the alert). */
  rivals(stampedAt: number): Promise<string[]>;
}

export type LateChange =
  | { found: "none"; reason: string }
  | { found: "ambiguous"; reason: string; transactionHeadIds: string[] }
  | { found: "one"; reason: string; transactionHeadId: string; at: string };

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
  const since = new Date(sought.startedAt.getTime() - (sought.clockSkewMs ?? 60_000));
  const [owned, transactions] = await Promise.all([
    source.claimed.of(sought.customerId, sought.owner),
    source.pos.listPointTransactions(sought.posCustomerId, {
      divisions: [shape.division],
      since,
      limit: 100,
    }),
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
  const ids = candidates.map((tx) => tx.transactionHeadId);
  if (candidates.length > 1) {
    return {
      found: "ambiguous",
      reason: `${candidates.length} ${noun}s of ${sought.points} points since ${since.toISOString()} owned by no record`,
      transactionHeadIds: ids,
    };
  }
  const rivals = await sought.rivals(Date.parse(only.at));
  if (rivals.length > 0) {
    return {
      found: "ambiguous",
      reason: `POS transaction ${only.transactionHeadId} ${shape.verb} ${sought.points} points at ${only.at}; it could also be that of ${rivals.join(", ")}, whose change was not answered either`,
      transactionHeadIds: ids,
    };
  }
  return {
    found: "one",
    reason: `POS transaction ${only.transactionHeadId} ${shape.verb} ${sought.points} points at ${only.at}`,
    transactionHeadId: only.transactionHeadId,
    at: only.at,
  };
}

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
