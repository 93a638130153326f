import type { PointsLedger } from "../pos/ports";
import { pointDivisions } from "../pos/ports";

/**
 * What the POS says, when staff resolve a parked record, about a point change the service sent
 * without learning whether it landed: a conversion's deduction or a cancellation's refund. Read
 * the way the sagas' reconciliations read it, so that only a clear answer may refuse the admin.
 */

/** Listed changes beyond this many are not combined: the balance is then not explained. */
const maxExplainingChanges = 10;

/**
 * Whether the balance moved from `before` to `current` through listed changes of others alone,
 * so that the sought change cannot have landed, listed or not. Each listed change may or may not
 * be in `before` already (clocks differ, and `before` was read shortly before the attempt), so
 * every subset is tried: some subset must add up to the move, and no subset plus the sought change
 * may. A till sale of 100 points during an unknown 500-point deduction then explains a fall of 100;
 * a fall of 500 stays unexplained when a 500-point sale was listed around the attempt, because
 * either story fits.
 */
export function balanceExplainedWithout(
  before: number,
  current: number,
  listed: readonly number[],
  sought: number,
): boolean {
  if (listed.length > maxExplainingChanges) return false;
  const move = current - before;
  let without = false;
  let withSought = false;
  for (let mask = 0; mask < 1 << listed.length; mask++) {
    let sum = 0;
    listed.forEach((points, index) => {
      if (mask & (1 << index)) sum += points;
    });
    if (sum === move) without = true;
    if (sum + sought === move) withSought = true;
  }
  return without && !withSought;
}

/**
 * The listing that may explain a balance move: every division since `since`, up to now. Undefined
 * when the POS has more than can be combined (or could not be read): then nothing is explained.
 */
export async function listedChangesSince(
  pos: Pick<PointsLedger, "listPointTransactions">,
  posCustomerId: string,
  since: Date,
): Promise<number[] | undefined> {
  try {
    const listed = await pos.listPointTransactions(posCustomerId, { since, limit: maxExplainingChanges + 1 });
    const changes = listed.filter((tx) => Date.parse(tx.at) >= since.getTime()).map((tx) => tx.points);
    return changes.length > maxExplainingChanges ? undefined : changes;
  } catch {
    return undefined;
  }
}

/** What the POS says about the change now. */
export interface PosEvidence {
  /** `unknown`: readable but ambiguous. `unreadable`: the POS could not be read. */
  outcome: "applied" | "not_applied" | "unknown" | "unreadable";
  reason: string;
  transactionHeadIds?: string[];
  balance?: number;
}

export interface EvidenceSource {
  pos: Pick<PointsLedger, "getBalance" | "listPointTransactions">;
  /** The member at the POS; may ask the POS, so a failure reads as unreadable. */
  posCustomerId(): Promise<string>;
  /** POS transactions other records own (other conversions' or coupons', staff adjustments). */
  claimed(): Promise<Set<string>>;
  now(): Date;
}

export interface ChangeSought {
  /** A deduction is a subtraction (division 7), a refund an addition (division 6). */
  change: "deduction" | "refund";
  /** Its size, positive. */
  points: number;
  /** When its (first) attempt began. */
  startedAt: Date;
  /** How long after its attempt it may still land. */
  settleMs: number;
  /** Tolerance between our clock and the POS's transaction times. */
  clockSkewMs?: number;
  /**
   * Only changes stamped while the one attempt could land count (`attempt`), or any since the first
   * attempt (`since_first_attempt`: a second attempt may have followed the first).
   */
  window: "attempt" | "since_first_attempt";
  balanceBefore?: number;
  /** Whose the change would be, in reasons: "this conversion's". */
  owner: string;
}

const shapes = {
  deduction: { division: pointDivisions.pointsSubtracted, sign: -1, noun: "subtraction", verb: "subtracted" },
  refund: { division: pointDivisions.pointsAdded, sign: 1, noun: "addition", verb: "added" },
} as const;

/**
 * Changes of exactly the points, stamped inside the window (from the attempt less the clock skew;
 * for one attempt, up to its settle time plus the skew), that no other record owns: exactly one is
 * `applied`; several cannot be told apart; none is `not_applied` once the change can no longer land
 * and the balance did not move its way.
 */
export async function searchPos(source: EvidenceSource, sought: ChangeSought): Promise<PosEvidence> {
  const shape = shapes[sought.change];
  const startedAt = sought.startedAt.getTime();
  const skew = sought.clockSkewMs ?? 60_000;
  const since = new Date(startedAt - skew);
  const until = sought.window === "attempt" ? new Date(startedAt + sought.settleMs + skew) : undefined;
  let balance: number;
  let candidates: string[];
  let posCustomerId: string;
  try {
    posCustomerId = await source.posCustomerId();
    balance = (await source.pos.getBalance(posCustomerId)).points;
    const [transactions, claimed] = await Promise.all([
      source.pos.listPointTransactions(posCustomerId, {
        divisions: [shape.division],
        since,
        ...(until ? { until } : {}),
        limit: 100,
      }),
      source.claimed(),
    ]);
    candidates = transactions
      .filter((tx) => {
        const at = Date.parse(tx.at);
        return (
          tx.points === shape.sign * sought.points &&
          at >= since.getTime() &&
          (until === undefined || at <= until.getTime()) &&
          !claimed.has(tx.transactionHeadId)
        );
      })
      .map((tx) => tx.transactionHeadId);
  } catch (error) {
    return {
      outcome: "unreadable",
      reason: `the POS could not be read: ${error instanceof Error ? error.message : "unknown error"}`,
    };
  }
  const { points, owner } = sought;
  const span = until ? "around the attempt" : `since ${since.toISOString()}`;
  const [only] = candidates;
  if (candidates.length === 1 && only !== undefined) {
    return {
      outcome: "applied",
      reason: `POS transaction ${only} ${shape.verb} ${points} points; balance now ${balance}`,
      transactionHeadIds: [only],
      balance,
    };
  }
  if (candidates.length > 1) {
    return {
      outcome: "unknown",
      reason: `${candidates.length} POS ${shape.noun}s of ${points} points ${span}; cannot tell which is ${owner}`,
      balance,
    };
  }
  if (source.now().getTime() < startedAt + sought.settleMs) {
    return {
      outcome: "unknown",
      reason: `no POS ${shape.noun} yet, but the ${sought.change} could still land`,
      balance,
    };
  }
  const before = sought.balanceBefore;
  const movedItsWay = before !== undefined && shape.sign * (balance - before) > 0;
  // No candidate is listed, so every listed change since the attempt is someone else's.
  const others = movedItsWay ? await listedChangesSince(source.pos, posCustomerId, since) : undefined;
  if (
    movedItsWay &&
    (others === undefined || !balanceExplainedWithout(before, balance, others, shape.sign * points))
  ) {
    return {
      outcome: "unknown",
      reason: `no POS ${shape.noun} of ${points} points listed, but the balance ${shape.sign < 0 ? "fell" : "rose"} from ${before} to ${balance}`,
      balance,
    };
  }
  return {
    outcome: "not_applied",
    reason: `no POS ${shape.noun} of ${points} points ${until ? `between ${since.toISOString()} and ${until.toISOString()}` : `since ${since.toISOString()}`}; balance ${balance}`,
    balance,
  };
}

/**
 * Only clear evidence refuses the operator's word: `applied` against "it did not happen",
 * `not_applied` against "it happened". Ambiguous or unreadable evidence never does.
 */
export const contradictsPos = (saysApplied: boolean, evidence: PosEvidence) =>
  saysApplied ? evidence.outcome === "not_applied" : evidence.outcome === "applied";
