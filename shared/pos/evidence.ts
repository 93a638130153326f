import type { PointsReader, PointTransaction } from "./ports";
import { pointDivisions } from "./ports";

/**
 * "Is this POS transaction ours?": what the POS says about a point change the service sent without
 * learning whether it landed (a conversion's deduction, a cancellation's refund, a staff
 * adjustment). One rule for every reader: the sagas' reconciliations, point adjustments, staff
 * resolutions and the reconciler, so that what parks a record is what settles it.
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
  pos: Pick<PointsReader, "listPointTransactions">,
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
  /** `applied`: the one transaction; `unknown` with several candidates: all of them. */
  transactionHeadIds?: string[];
  /** The balance read now. */
  balance?: number;
  /** `unknown` only because the change could still land: read again after this long. */
  settlesInMs?: number;
  /** `unreadable`: what the POS client threw, for callers whose retry policy matches on it. */
  cause?: unknown;
}

/** The record a POS transaction may belong to. */
export interface RecordRef {
  kind: "conversion" | "coupon" | "adjustment";
  /** The conversion id, the coupon code or the adjustment id. */
  id: string;
}

/**
 * POS transactions that records of the service already own: conversions' deductions, coupons'
 * refunds and staff adjustments. A lost change is never matched to one of them.
 */
export interface ClaimedTransactions {
  /** The customer's transactions owned by any record but `except`. */
  of(customerId: string, except: RecordRef): Promise<Set<string>>;
}

/** Records that own POS transactions, newest first (the recent ones are those that can collide). */
export interface TransactionOwners {
  conversions: {
    listConversionsByCustomer(
      customerId: string,
      page: { limit: number },
    ): Promise<{ items: readonly { conversionId: string; transactionHeadIds?: string[] }[] }>;
  };
  coupons: {
    listCouponsByCustomer(
      customerId: string,
      page: { limit: number },
    ): Promise<{ items: readonly { code: string; refundTransactionHeadIds?: string[] }[] }>;
  };
  adjustments: {
    listByCustomer(
      customerId: string,
      limit: number,
    ): Promise<readonly { adjustmentId: string; transactionHeadIds?: string[] }[]>;
  };
}

/** How many of each kind of record are read: far more than can land within one change's window. */
const recentRecords = 100;

/** The one implementation of {@link ClaimedTransactions}, over the record stores. */
export function claimedTransactions(owners: TransactionOwners): ClaimedTransactions {
  return {
    async of(customerId, except) {
      const page = { limit: recentRecords };
      const [conversions, coupons, adjustments] = await Promise.all([
        owners.conversions.listConversionsByCustomer(customerId, page),
        owners.coupons.listCouponsByCustomer(customerId, page),
        owners.adjustments.listByCustomer(customerId, recentRecords),
      ]);
      const is = (kind: RecordRef["kind"], id: string) => except.kind === kind && except.id === id;
      return new Set([
        ...conversions.items
          .filter((conversion) => !is("conversion", conversion.conversionId))
          .flatMap((conversion) => conversion.transactionHeadIds ?? []),
        ...coupons.items
          .filter((coupon) => !is("coupon", coupon.code))
          .flatMap((coupon) => coupon.refundTransactionHeadIds ?? []),
        ...adjustments
          .filter((adjustment) => !is("adjustment", adjustment.adjustmentId))
          .flatMap((adjustment) => adjustment.transactionHeadIds ?? []),
      ]);
    },
  };
}

export interface EvidenceSource {
  pos: Pick<PointsReader, "getBalance" | "listPointTransactions">;
  claimed: ClaimedTransactions;
  now(): Date;
}

export interface ChangeSought {
  /** The member at the POS; may ask the POS, so a failure reads as unreadable. */
  posCustomerId: string | (() => Promise<string>);
  /** The Shopify customer and the record the change would belong to. */
  customerId: string;
  owner: RecordRef;
  /** A deduction is a subtraction (division 7), a refund or a grant an addition (division 6). */
  direction: "subtraction" | "addition";
  /** Its size, positive. */
  points: number;
  /** When its (first) attempt began. */
  startedAt: Date;
  /**
   * How long after its attempt it may still land; 0 when the caller has already waited that long
   * (a state machine's Wait, an adjustment's settle pause).
   */
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
  ownerLabel: string;
}

const shapes = {
  subtraction: { division: pointDivisions.pointsSubtracted, sign: -1, verb: "subtracted", moved: "fell" },
  addition: { division: pointDivisions.pointsAdded, sign: 1, verb: "added", moved: "rose" },
} as const;

const messageOf = (error: unknown) => (error instanceof Error ? error.message : "unknown error");

/**
 * Changes of exactly the points, stamped inside the window (from the attempt less the clock skew;
 * for one attempt, up to its settle time plus the skew), that no other record owns: exactly one is
 * `applied`; several cannot be told apart; none is `not_applied` once the change can no longer land
 * and the balance did not move its way unexplained by the other listed changes.
 *
 * The balance is read before the transactions: a change landing between the two reads then shows
 * in the transactions too, instead of only in the balance. Only the POS's failures read as
 * `unreadable`; the record stores' failures are thrown.
 */
export async function findPointChange(source: EvidenceSource, sought: ChangeSought): Promise<PosEvidence> {
  const shape = shapes[sought.direction];
  const startedAt = sought.startedAt.getTime();
  const skew = sought.clockSkewMs ?? 60_000;
  const since = new Date(startedAt - skew);
  const until = sought.window === "attempt" ? new Date(startedAt + sought.settleMs + skew) : undefined;
  const claimed = source.claimed.of(sought.customerId, sought.owner);
  // Awaited below either way; a rejection is not left unhandled meanwhile.
  claimed.catch(() => undefined);
  let balance: number;
  let transactions: PointTransaction[];
  let posCustomerId: string;
  try {
    posCustomerId =
      typeof sought.posCustomerId === "string" ? sought.posCustomerId : await sought.posCustomerId();
    balance = (await source.pos.getBalance(posCustomerId)).points;
    transactions = await source.pos.listPointTransactions(posCustomerId, {
      divisions: [shape.division],
      since,
      ...(until ? { until } : {}),
      limit: 100,
    });
  } catch (error) {
    // A store failure is not the POS's: it is thrown, not reported as the POS's.
    await claimed;
    return { outcome: "unreadable", reason: `the POS could not be read: ${messageOf(error)}`, cause: error };
  }
  const owned = await claimed;
  const candidates = transactions
    .filter((tx) => {
      const at = Date.parse(tx.at);
      return (
        tx.points === shape.sign * sought.points &&
        at >= since.getTime() &&
        (until === undefined || at <= until.getTime()) &&
        !owned.has(tx.transactionHeadId)
      );
    })
    .map((tx) => tx.transactionHeadId);
  const { points, ownerLabel } = sought;
  const noun = `POS ${sought.direction}`;
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
      reason: `${candidates.length} ${noun}s of ${points} points ${span}; cannot tell which is ${ownerLabel}`,
      transactionHeadIds: candidates,
      balance,
    };
  }
  const settlesInMs = startedAt + sought.settleMs - source.now().getTime();
  if (settlesInMs > 0) {
    return {
      outcome: "unknown",
      reason: `no ${noun} of ${points} points yet, but the change could still land`,
      balance,
      settlesInMs,
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
      reason: `no ${noun} of ${points} points listed ${span}, but the balance ${shape.moved} from ${before} to ${balance}`,
      balance,
    };
  }
  const explained = movedItsWay
    ? `; the balance ${shape.moved} from ${before} to ${balance} through ${others?.length ?? 0} other listed transaction(s)`
    : `; balance ${balance}`;
  return {
    outcome: "not_applied",
    reason: `no ${noun} of ${points} points ${until ? `between ${since.toISOString()} and ${until.toISOString()}` : `since ${since.toISOString()}`}${explained}`,
    balance,
  };
}

/** What a saga's reconciliation step returns to its state machine. */
export interface Reconciled {
  /** `pending`: nothing seen yet, but the change may still land; the state machine waits. */
  outcome: "applied" | "not_applied" | "unknown" | "pending";
  reason: string;
  /** With `pending`: how long the state machine waits before reading again. */
  waitSeconds?: number;
  transactionHeadIds?: string[];
  balanceAfter?: number;
}

/**
 * The evidence as a saga step answers it. A POS that cannot be read throws the POS client's own
 * error, which the state machine's Retry and Catch match on; nothing is guessed.
 */
export function reconciledFrom(evidence: PosEvidence): Reconciled {
  const { reason, transactionHeadIds, balance, settlesInMs } = evidence;
  switch (evidence.outcome) {
    case "unreadable":
      throw evidence.cause;
    case "applied":
      return {
        outcome: "applied",
        reason,
        ...(transactionHeadIds ? { transactionHeadIds } : {}),
        ...(balance !== undefined ? { balanceAfter: balance } : {}),
      };
    case "unknown":
      return settlesInMs !== undefined
        ? { outcome: "pending", reason, waitSeconds: Math.max(1, Math.ceil(settlesInMs / 1000)) }
        : { outcome: "unknown", reason, ...(transactionHeadIds ? { transactionHeadIds } : {}) };
    case "not_applied":
      return { outcome: "not_applied", reason };
  }
}

/**
 * Only clear evidence refuses the operator's word: `applied` against "it did not happen",
 * `not_applied` against "it happened". Ambiguous or unreadable evidence never does.
 */
export const contradictsPos = (saysApplied: boolean, evidence: PosEvidence) =>
  saysApplied ? evidence.outcome === "not_applied" : evidence.outcome === "applied";
