/**
 * The POS as the loyalty domain sees it: members and their point ledger. Domain code and test
 * fakes depend on these interfaces; `SmaregiPointsReader` and `SmaregiPointsLedger` implement them
 * against Smaregi.
 */

/** Smaregi customer status: 0 active, 1 suspended, 2 lost card, 3 withdrawn, 4 merged into another. */
export type MemberStatus = "active" | "suspended" | "lost" | "withdrawn" | "merged";

export interface Member {
  /** Smaregi's own id of the customer, used for every point call. */
  customerId: string;
  /** The number the shop knows the member by (the Shopify customer's numeric id). */
  memberNumber: string;
  /**
   * Smaregi's member code (会員コード), which its transaction list filters by; kept from the lookup
   * so the history needs no second read. Absent in members remembered before it was kept.
   */
  customerCode?: string;
  rank: string | null;
  firstName: string;
  lastName: string;
  status: MemberStatus;
}

export interface PointBalance {
  points: number;
  /** Last day (Japan time) the points are valid, or null when they do not expire. */
  expiresOn: string | null;
  /** When the balance last changed (ISO 8601), when the POS says. */
  updatedAt: string | null;
}

export interface PointChange {
  customerId: string;
  /** Balance after the change. */
  balance: number;
  expiresOn: string | null;
  /** The POS transactions the change created; keep them for the audit trail. */
  transactionHeadIds: string[];
}

/** Smaregi transaction divisions (取引区分) that move points. */
export const pointDivisions = {
  sale: "1",
  pointsAdded: "6",
  pointsSubtracted: "7",
  pointsExpired: "8",
} as const;

export interface PointTransaction {
  transactionHeadId: string;
  /** Smaregi transaction division, see `pointDivisions`. */
  division: string;
  /** When it happened (ISO 8601). */
  at: string;
  /** Signed change to the balance: a sale's earned minus used points, + for 6, - for 7 and 8. */
  points: number;
  storeId?: string;
}

export interface PointTransactionQuery {
  /** Only these divisions; all when omitted. */
  divisions?: readonly string[];
  /**
   * Oldest instant of interest; 30 days before `until` when omitted. A range longer than the POS
   * can read in one query (360 days for Smaregi) fails, unless `limit` transactions come first,
   * rather than coming back cut short.
   */
  since?: Date;
  /** Newest instant of interest; now when omitted. */
  until?: Date;
  /** At most this many, newest first; 50 when omitted. */
  limit?: number;
}

/** What the POS says: members, balances and the point history. */
export interface PointsReader {
  /** The member registered under the shop's member number; `NotRegistered` when there is none. */
  findMember(memberNumber: string): Promise<Member>;
  getBalance(customerId: string): Promise<PointBalance>;
  /** Point-moving transactions, newest first. */
  listPointTransactions(customerId: string, query?: PointTransactionQuery): Promise<PointTransaction[]>;
}

/** The POS's point ledger: what it says, and the point change. */
export interface PointsLedger extends PointsReader {
  /**
   * Adds `delta` points (negative subtracts). Sent once, never retried: `PosDeclined` when the POS
   * refuses, `PosUnavailable` when it was certainly not applied, `PosOutcomeUnknown` otherwise.
   */
  addPoints(customerId: string, delta: number): Promise<PointChange>;
}

/**
 * Where member number -> member lookups are remembered. The mapping to `customerId` never changes,
 * so a shared store (e.g. DynamoDB) can stand in for the per-process default.
 */
export interface MemberDirectory {
  get(memberNumber: string): Promise<Member | undefined>;
  set(member: Member): Promise<void>;
}
