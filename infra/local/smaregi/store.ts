import { DAY_MS, toJapanDate } from "../../../shared/adapters/smaregi/time";
import { type DemoCustomer, type DemoHistoryEntry, demoCustomers } from "../demo-data";

/**
 * The Smaregi emulator's data: customers (会員), their point accounts and the transactions
 * (取引) that changed them. Plain numbers and Dates here; the HTTP layer writes Smaregi's
 * string-typed wire format.
 */

/** 取引区分 used by the emulator: 1 sale, 6 points added, 7 points subtracted, 8 points expired. */
export type TransactionDivision = "1" | "6" | "7" | "8";

/** `status`: 0 active, 1 suspended, 2 lost, 3 withdrawn, 4 merged. */
export type CustomerStatus = "0" | "1" | "2" | "3" | "4";

export interface CustomerRecord {
  customerId: string;
  customerCode: string;
  customerNo: string | null;
  rank: string | null;
  staffRank: string | null;
  lastName: string;
  firstName: string;
  lastKana: string | null;
  firstKana: string | null;
  mailAddress: string | null;
  phoneNumber: string | null;
  mobileNumber: string | null;
  postCode: string | null;
  address: string | null;
  sex: "0" | "1" | "2";
  birthDate: string | null;
  entryDate: string | null;
  leaveDate: string | null;
  storeId: string | null;
  mailReceiveFlag: "0" | "1";
  status: CustomerStatus;
  insDateTime: Date;
  updDateTime: Date;
}

export interface PointAccount {
  customerId: string;
  point: number;
  mile: number;
  /**
   * False until points are first given or set. smaregi-api.yaml marks `point` and `mile` optional
   * in the point list; that a member never given any comes without them is our assumption.
   */
  pointsEverSet: boolean;
  /** Last day (Japan time) on which the points are valid; null when they do not expire. */
  pointExpireDate: string | null;
  insDateTime: Date;
  updDateTime: Date;
}

export interface TransactionRecord {
  transactionHeadId: string;
  transactionDateTime: Date;
  transactionHeadDivision: TransactionDivision;
  /** Null for a sale to a walk-in customer (no member card shown). */
  customerId: string | null;
  customerCode: string | null;
  storeId: string | null;
  total: number;
  /** Points given by this transaction (a sale's earned points, or an addition). */
  newPoint: number;
  /** Points taken by this transaction (points used, subtracted or expired). */
  spendPoint: number;
  /** Balance before the transaction. */
  point: number;
  /** Balance after the transaction. */
  totalPoint: number;
  updDateTime: Date;
}

export interface NewCustomer {
  customerCode: string;
  customerNo?: string | null;
  rank?: string | null;
  lastName: string;
  firstName: string;
  lastKana?: string | null;
  firstKana?: string | null;
  mailAddress?: string | null;
  status?: CustomerStatus;
}

export interface CustomerFilter {
  customerId?: string;
  customerCode?: string;
  customerNo?: string;
}

export interface TransactionFilter {
  /** For fixtures and assertions only: the HTTP list has no such filter (see app.ts). */
  customerId?: string;
  customerCode?: string;
  storeId?: string;
  division?: string;
  from?: Date;
  to?: Date;
}

export type PointChangeOutcome =
  | { kind: "applied"; account: PointAccount; transactionHeadIds: string[] }
  | { kind: "insufficient-points"; account: PointAccount }
  | { kind: "over-limit"; account: PointAccount }
  | { kind: "unknown-customer" };

/** The bulk endpoint's documented ceiling; used for balances too. */
export const MAX_POINTS = 999_999_999;

/** Store names of the demo history, numbered as Smaregi store ids. */
export const demoStores: Readonly<Record<string, string>> = { "1": "Shibuya", "2": "Shinjuku" };

/**
 * Sales to customers who showed no member card, in the same weeks as the members' history: a
 * transaction list that is not filtered by member returns them too, with no customer.
 */
const walkInSales: readonly DemoHistoryEntry[] = [
  { daysAgo: 1, division: "1", points: 0, storeName: "Shinjuku", total: 5000 },
  { daysAgo: 20, division: "1", points: 0, storeName: "Shibuya", total: 12000 },
];

export class SmaregiStore {
  private readonly customers = new Map<string, CustomerRecord>();
  private readonly accounts = new Map<string, PointAccount>();
  private transactions: TransactionRecord[] = [];
  private lastTransactionHeadId = 0;

  constructor(
    private readonly now: () => Date,
    private readonly seed: readonly DemoCustomer[] = demoCustomers,
  ) {
    this.reset();
  }

  /** Back to the demo customers, with their history dated relative to now. */
  reset(): void {
    this.customers.clear();
    this.accounts.clear();
    this.transactions = [];
    // Transaction ids stay unique across resets, as the real POS never reuses one.
    const now = this.now();
    for (const demo of this.seed) {
      if (!demo.pos) continue;
      const customer = this.insertCustomer(
        {
          customerCode: demo.shopifyId,
          // The local stack may be configured to read the member number from either field.
          customerNo: demo.shopifyId,
          rank: demo.pos.rank,
          lastName: demo.lastName,
          firstName: demo.firstName,
          mailAddress: demo.email,
        },
        demo.pos.customerId,
        new Date(now.getTime() - 400 * DAY_MS),
      );
      const account = this.accountOf(customer.customerId);
      account.point = demo.pos.points;
      account.pointsEverSet = true;
      account.pointExpireDate = toJapanDate(new Date(now.getTime() + demo.pos.expiresInDays * DAY_MS));
    }
    // Ids must increase with time across customers, so number the whole history oldest first.
    const entries: Array<{
      customerCode: string | null;
      customerId: string | null;
      entry: DemoHistoryEntry;
    }> = [
      ...this.seed.flatMap(({ shopifyId, pos }) =>
        pos
          ? pos.history.map((entry) => ({ customerCode: shopifyId, customerId: pos.customerId, entry }))
          : [],
      ),
      ...walkInSales.map((entry) => ({ customerCode: null, customerId: null, entry })),
    ];
    entries.sort((a, b) => b.entry.daysAgo - a.entry.daysAgo);
    const running = new Map<string | null, number>();
    for (const { customerCode, customerId, entry } of entries) {
      const before = running.get(customerId) ?? 0;
      const change = entry.division === "1" || entry.division === "6" ? entry.points : -entry.points;
      if (customerId !== null) running.set(customerId, before + change);
      const storeId = Object.entries(demoStores).find(([, name]) => name === entry.storeName)?.[0] ?? null;
      const at = new Date(now.getTime() - entry.daysAgo * DAY_MS);
      this.recordTransaction({
        at,
        division: entry.division,
        customerId,
        customerCode,
        storeId,
        total: entry.total ?? 0,
        newPoint: Math.max(change, 0),
        spendPoint: Math.max(-change, 0),
        point: before,
      });
    }
  }

  listCustomers(filter: CustomerFilter): CustomerRecord[] {
    return [...this.customers.values()].filter(
      (customer) =>
        (filter.customerId === undefined || customer.customerId === filter.customerId) &&
        (filter.customerCode === undefined || customer.customerCode === filter.customerCode) &&
        (filter.customerNo === undefined || customer.customerNo === filter.customerNo),
    );
  }

  getCustomer(customerId: string): CustomerRecord | undefined {
    return this.customers.get(customerId);
  }

  /** Creates a customer, or says why not: the member code is unique per contract. */
  createCustomer(input: NewCustomer): CustomerRecord | "duplicate-code" {
    if (this.listCustomers({ customerCode: input.customerCode }).length > 0) return "duplicate-code";
    const ids = [...this.customers.keys()].map(Number);
    const nextId = String(Math.max(1000, ...ids) + 1);
    return this.insertCustomer(input, nextId, this.now());
  }

  /** The point account after expiring lapsed points, as the real API does before every answer. */
  getPoints(customerId: string): PointAccount | undefined {
    if (!this.customers.has(customerId)) return undefined;
    this.expireLapsedPoints(customerId);
    return { ...this.accountOf(customerId) };
  }

  /** Relative change (`/point/add`): lapsed points expire first; a result below zero is refused. */
  addPoints(customerId: string, delta: number, pointExpireDate?: string): PointChangeOutcome {
    const customer = this.customers.get(customerId);
    if (!customer) return { kind: "unknown-customer" };
    const transactionHeadIds = this.expireLapsedPoints(customerId);
    const account = this.accountOf(customerId);
    const balance = account.point + delta;
    if (balance < 0) return { kind: "insufficient-points", account: { ...account } };
    if (balance > MAX_POINTS) return { kind: "over-limit", account: { ...account } };
    const at = this.now();
    const transaction = this.recordTransaction({
      at,
      division: delta >= 0 ? "6" : "7",
      customerId,
      customerCode: customer.customerCode,
      storeId: null,
      total: 0,
      newPoint: Math.max(delta, 0),
      spendPoint: Math.max(-delta, 0),
      point: account.point,
    });
    account.point = balance;
    account.pointsEverSet = true;
    if (pointExpireDate !== undefined) account.pointExpireDate = pointExpireDate;
    account.updDateTime = at;
    transactionHeadIds.push(transaction.transactionHeadId);
    return { kind: "applied", account: { ...account }, transactionHeadIds };
  }

  /**
   * A sale at the till by a member (division 1): points spent and earned change the balance and
   * the sale is listed with them, as the register would record it. For fixtures (a store purchase
   * during a conversion); the API has no way to ring up a sale.
   */
  recordSale(
    customerId: string,
    sale: { spendPoint: number; newPoint?: number; total: number; storeId?: string },
  ): TransactionRecord | undefined {
    const customer = this.customers.get(customerId);
    if (!customer) return undefined;
    const account = this.accountOf(customerId);
    const at = this.now();
    const transaction = this.recordTransaction({
      at,
      division: "1",
      customerId,
      customerCode: customer.customerCode,
      storeId: sale.storeId ?? null,
      total: sale.total,
      newPoint: sale.newPoint ?? 0,
      spendPoint: sale.spendPoint,
      point: account.point,
    });
    account.point += (sale.newPoint ?? 0) - sale.spendPoint;
    account.updDateTime = at;
    return transaction;
  }

  /** Absolute set (PATCH `/point`), for fixtures. Records no transaction. */
  setPoints(
    customerId: string,
    values: { point?: number; mile?: number; pointExpireDate?: string | null },
  ): PointAccount | undefined {
    if (!this.customers.has(customerId)) return undefined;
    const account = this.accountOf(customerId);
    if (values.point !== undefined) account.point = values.point;
    if (values.mile !== undefined) account.mile = values.mile;
    if (values.point !== undefined || values.mile !== undefined) account.pointsEverSet = true;
    if (values.pointExpireDate !== undefined) account.pointExpireDate = values.pointExpireDate;
    account.updDateTime = this.now();
    return { ...account };
  }

  listTransactions(filter: TransactionFilter): TransactionRecord[] {
    return this.transactions.filter(
      (transaction) =>
        (filter.customerId === undefined || transaction.customerId === filter.customerId) &&
        (filter.customerCode === undefined || transaction.customerCode === filter.customerCode) &&
        (filter.storeId === undefined || transaction.storeId === filter.storeId) &&
        (filter.division === undefined || transaction.transactionHeadDivision === filter.division) &&
        (filter.from === undefined || transaction.transactionDateTime >= filter.from) &&
        (filter.to === undefined || transaction.transactionDateTime <= filter.to),
    );
  }

  /** Zeroes points whose expiry date has passed and records a division-8 transaction. */
  private expireLapsedPoints(customerId: string): string[] {
    const account = this.accountOf(customerId);
    const customer = this.customers.get(customerId);
    if (!customer || account.pointExpireDate === null) return [];
    const today = toJapanDate(this.now());
    if (account.pointExpireDate >= today) return [];
    const at = this.now();
    const ids: string[] = [];
    if (account.point > 0) {
      const transaction = this.recordTransaction({
        at,
        division: "8",
        customerId,
        customerCode: customer.customerCode,
        storeId: null,
        total: 0,
        newPoint: 0,
        spendPoint: account.point,
        point: account.point,
      });
      ids.push(transaction.transactionHeadId);
    }
    account.point = 0;
    // Assumed: with nothing left, the account has no expiry until points are given again.
    account.pointExpireDate = null;
    account.updDateTime = at;
    return ids;
  }

  private insertCustomer(input: NewCustomer, customerId: string, at: Date): CustomerRecord {
    const customer: CustomerRecord = {
      customerId,
      customerCode: input.customerCode,
      customerNo: input.customerNo ?? null,
      rank: input.rank ?? null,
      staffRank: null,
      lastName: input.lastName,
      firstName: input.firstName,
      lastKana: input.lastKana ?? null,
      firstKana: input.firstKana ?? null,
      mailAddress: input.mailAddress ?? null,
      phoneNumber: null,
      mobileNumber: null,
      postCode: null,
      address: null,
      sex: "0",
      birthDate: null,
      entryDate: toJapanDate(at),
      leaveDate: null,
      storeId: null,
      mailReceiveFlag: "0",
      status: input.status ?? "0",
      insDateTime: at,
      updDateTime: at,
    };
    this.customers.set(customerId, customer);
    this.accounts.set(customerId, {
      customerId,
      point: 0,
      mile: 0,
      pointsEverSet: false,
      pointExpireDate: null,
      insDateTime: at,
      updDateTime: at,
    });
    return customer;
  }

  private accountOf(customerId: string): PointAccount {
    const account = this.accounts.get(customerId);
    if (!account) throw new Error(`customer ${customerId} has no point account`);
    return account;
  }

  private recordTransaction(input: {
    at: Date;
    division: TransactionDivision;
    customerId: string | null;
    customerCode: string | null;
    storeId: string | null;
    total: number;
    newPoint: number;
    spendPoint: number;
    point: number;
  }): TransactionRecord {
    this.lastTransactionHeadId += 1;
    // Smaregi keeps transaction times to the second; range filters compare at that precision.
    const at = new Date(Math.floor(input.at.getTime() / 1000) * 1000);
    const transaction: TransactionRecord = {
      transactionHeadId: String(this.lastTransactionHeadId),
      transactionDateTime: at,
      transactionHeadDivision: input.division,
      customerId: input.customerId,
      customerCode: input.customerCode,
      storeId: input.storeId,
      total: input.total,
      newPoint: input.newPoint,
      spendPoint: input.spendPoint,
      point: input.point,
      totalPoint: input.point + input.newPoint - input.spendPoint,
      updDateTime: at,
    };
    this.transactions.push(transaction);
    return transaction;
  }
}
