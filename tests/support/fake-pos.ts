import { NotRegistered, PosDeclined, PosOutcomeUnknown, PosUnavailable } from "../../shared/errors";
import {
  type Member,
  type PointBalance,
  type PointChange,
  type PointsLedger,
  type PointTransaction,
  type PointTransactionQuery,
  pointDivisions,
} from "../../shared/pos/ports";

/**
 * An in-memory Smaregi: members, balances and the point transactions the reconciliations read.
 * What the next point change does is scripted with `nextChange`; reads fail on demand with
 * `failNext`. Every change the POS applied is in `applied` (and listed, unless told otherwise), so a
 * test asserts what a member would see on the receipt: points taken exactly once, or not at all.
 */

/**
 * What the POS does with one `addPoints`:
 * - `applied`: answers, and the change is listed;
 * - `declined`: refuses (`PosDeclined`), nothing changes;
 * - `unavailable`: certainly not sent (`PosUnavailable`), nothing changes;
 * - `timeout_applied`: applies the change but the answer is lost (`PosOutcomeUnknown`);
 * - `timeout_not_applied`: the request is lost before the POS (`PosOutcomeUnknown`);
 * - `timeout_applied_unlisted`: the balance moves, but the transaction list does not show it (yet).
 */
export type PosChangeOutcome =
  | "applied"
  | "declined"
  | "unavailable"
  | "timeout_applied"
  | "timeout_not_applied"
  | "timeout_applied_unlisted";

type ReadMethod = "findMember" | "getBalance" | "listPointTransactions";

export interface FakePosOptions {
  /** Stamps transactions; a test's fixed clock keeps them inside the reconciliation windows. */
  now?: () => Date;
}

export const memberOf = (customerId: string, memberNumber: string): Member => ({
  customerId,
  memberNumber,
  rank: null,
  firstName: "Taro",
  lastName: "Yamada",
  status: "active",
});

export class FakePos implements PointsLedger {
  readonly #members = new Map<string, Member>();
  readonly #balances = new Map<string, number>();
  readonly #transactions = new Map<string, PointTransaction[]>();
  readonly #scripted: PosChangeOutcome[] = [];
  readonly #failures = new Map<ReadMethod, Error[]>();
  readonly #now: () => Date;
  #nextId = 9001;
  /** Every `addPoints` call, whatever became of it. */
  readonly attempts: Array<{ customerId: string; delta: number; outcome: PosChangeOutcome }> = [];
  /** The changes that really happened at the POS. */
  readonly applied: Array<{ customerId: string; delta: number; transactionHeadId: string }> = [];
  /** Every transaction listing asked for, in order. */
  readonly queries: PointTransactionQuery[] = [];
  /** Every member number looked up, in order. */
  readonly lookups: string[] = [];

  constructor(options: FakePosOptions = {}) {
    this.#now = options.now ?? (() => new Date());
  }

  /** Registers a member with a balance; the POS id and the shop's member number may differ. */
  withMember(memberNumber: string, customerId: string, points: number): this {
    this.#members.set(memberNumber, memberOf(customerId, memberNumber));
    this.#balances.set(customerId, points);
    return this;
  }

  /** Scripts the next point changes, in order; unscripted changes are `applied`. */
  nextChange(...outcomes: PosChangeOutcome[]): this {
    this.#scripted.push(...outcomes);
    return this;
  }

  /** The next call(s) of a read fail with `error`, once per error given. */
  failNext(method: ReadMethod, ...errors: Error[]): this {
    this.#failures.set(method, [...(this.#failures.get(method) ?? []), ...errors]);
    return this;
  }

  /** Someone else's transaction (a till sale, a staff grant): listed, and it moves the balance. */
  record(
    customerId: string,
    tx: Omit<PointTransaction, "transactionHeadId"> & { transactionHeadId?: string },
  ) {
    const listed = { ...tx, transactionHeadId: tx.transactionHeadId ?? this.#newId() };
    this.#list(customerId, listed);
    this.#balances.set(customerId, this.balanceOf(customerId) + tx.points);
    return listed;
  }

  /** Transactions the POS lists, as they are: the balance is left as it is (see `record`). */
  listed(customerId: string, ...transactions: PointTransaction[]): this {
    for (const tx of transactions) this.#list(customerId, tx);
    return this;
  }

  balanceOf(customerId: string): number {
    return this.#balances.get(customerId) ?? 0;
  }

  /** The net change the POS applied to the member through `addPoints`. */
  netChange(customerId: string): number {
    return this.applied
      .filter((change) => change.customerId === customerId)
      .reduce((sum, change) => sum + change.delta, 0);
  }

  async findMember(memberNumber: string): Promise<Member> {
    this.lookups.push(memberNumber);
    this.#maybeFail("findMember");
    const member = this.#members.get(memberNumber);
    if (!member) throw new NotRegistered(`No store member has the member number ${memberNumber}`);
    return member;
  }

  async getBalance(customerId: string): Promise<PointBalance> {
    this.#maybeFail("getBalance");
    if (!this.#balances.has(customerId)) throw new NotRegistered(`No store customer ${customerId}`);
    return { points: this.balanceOf(customerId), expiresOn: null, updatedAt: null };
  }

  async addPoints(customerId: string, delta: number): Promise<PointChange> {
    const outcome = this.#scripted.shift() ?? "applied";
    this.attempts.push({ customerId, delta, outcome });
    if (outcome === "declined") throw new PosDeclined("The balance would go below zero");
    if (outcome === "unavailable") throw new PosUnavailable("Smaregi answered 503; nothing was sent");
    if (outcome === "timeout_not_applied") throw new PosOutcomeUnknown("The point change timed out");
    if (outcome === "applied" && this.balanceOf(customerId) + delta < 0) {
      throw new PosDeclined("The balance would go below zero");
    }
    const transactionHeadId = this.#newId();
    this.applied.push({ customerId, delta, transactionHeadId });
    this.#balances.set(customerId, this.balanceOf(customerId) + delta);
    if (outcome !== "timeout_applied_unlisted") {
      this.#list(customerId, {
        transactionHeadId,
        division: delta > 0 ? pointDivisions.pointsAdded : pointDivisions.pointsSubtracted,
        at: this.#now().toISOString(),
        points: delta,
      });
    }
    if (outcome !== "applied") throw new PosOutcomeUnknown("The point change timed out");
    return {
      customerId,
      balance: this.balanceOf(customerId),
      expiresOn: null,
      transactionHeadIds: [transactionHeadId],
    };
  }

  async listPointTransactions(
    customerId: string,
    query: PointTransactionQuery = {},
  ): Promise<PointTransaction[]> {
    this.#maybeFail("listPointTransactions");
    this.queries.push(query);
    const until = query.until ?? this.#now();
    const since = query.since ?? new Date(until.getTime() - 30 * 24 * 3600_000);
    return (this.#transactions.get(customerId) ?? [])
      .filter((tx) => !query.divisions || query.divisions.includes(tx.division))
      .filter((tx) => Date.parse(tx.at) >= since.getTime() && Date.parse(tx.at) <= until.getTime())
      .sort((a, b) => b.at.localeCompare(a.at))
      .slice(0, query.limit ?? 50);
  }

  #list(customerId: string, tx: PointTransaction) {
    this.#transactions.set(customerId, [...(this.#transactions.get(customerId) ?? []), tx]);
  }

  #newId() {
    return String(this.#nextId++);
  }

  #maybeFail(method: ReadMethod) {
    const error = this.#failures.get(method)?.shift();
    if (error) throw error;
  }
}
