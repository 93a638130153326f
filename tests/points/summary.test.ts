import { describe, expect, it } from "vitest";
import { NotRegistered, PosTimeout } from "../../shared/errors";
import { getPointsSummary } from "../../shared/points/summary";
import type {
  Member,
  PointBalance,
  PointChange,
  PointsLedger,
  PointTransaction,
} from "../../shared/pos/ports";

/** An in-memory POS: enough of the ledger for reading a summary. */
class FakeLedger implements PointsLedger {
  historyFails = false;
  calls: string[] = [];
  constructor(
    private readonly members: Record<string, Member>,
    private readonly balances: Record<string, PointBalance>,
    private readonly history: PointTransaction[],
  ) {}
  async findMember(memberNumber: string) {
    this.calls.push("findMember");
    const member = this.members[memberNumber];
    if (!member) throw new NotRegistered(`No store member has the member number ${memberNumber}`);
    return member;
  }
  async getBalance(customerId: string) {
    this.calls.push("getBalance");
    const balance = this.balances[customerId];
    if (!balance) throw new Error("unknown");
    return balance;
  }
  async addPoints(): Promise<PointChange> {
    throw new Error("a summary never changes points");
  }
  async listPointTransactions() {
    this.calls.push("listPointTransactions");
    if (this.historyFails) throw new PosTimeout("slow");
    return this.history;
  }
}

const taro: Member = {
  customerId: "1001",
  memberNumber: "8840734670934",
  rank: "Gold",
  firstName: "Taro",
  lastName: "Yamada",
  status: "active",
};

const ledger = () =>
  new FakeLedger(
    { "8840734670934": taro },
    { "1001": { points: 1250, expiresOn: "2027-11-22", updatedAt: null } },
    [
      { transactionHeadId: "3", division: "1", at: "2026-11-19T01:00:00Z", points: 150 },
      { transactionHeadId: "2", division: "7", at: "2026-11-10T20:00:00Z", points: -500 },
      { transactionHeadId: "1", division: "8", at: "2026-10-01T00:00:00Z", points: 0 },
    ],
  );

const options = { locale: "en" as const, timeZone: "Asia/Tokyo", historyDays: 30, historyLimit: 10 };

describe("the customer's points summary", () => {
  it("shows balance, expiry, rank and history in the customer's language", async () => {
    // Act
    const summary = await getPointsSummary(ledger(), { customerId: "8840734670934" }, options);

    // Assess
    expect(summary).toMatchObject({
      customerId: "8840734670934",
      memberNumber: "8840734670934",
      balance: 1250,
      expiresOn: "2027-11-22",
      rank: "Gold",
      display: { balance: "1,250", expiresOn: "November 22, 2027", rank: "Gold Member" },
    });
    expect(summary.history).toEqual([
      { date: "2026-11-19", description: "Points earned on a purchase", points: 150, kind: "purchase" },
      // 20:00 UTC is the next morning in Tokyo: dates are the shop's.
      { date: "2026-11-11", description: "Points used", points: -500, kind: "used" },
    ]);
  });

  it("still shows the balance when only the history cannot be read", async () => {
    const pos = ledger();
    pos.historyFails = true;

    const summary = await getPointsSummary(
      pos,
      { customerId: "8840734670934" },
      { ...options, locale: "ja" },
    );

    expect(summary.balance).toBe(1250);
    expect(summary.display.rank).toBe("ゴールド会員");
    expect(summary.history).toBeNull();
  });

  it("tells a customer who is not a store member so", async () => {
    await expect(getPointsSummary(ledger(), { customerId: "8840734670936" }, options)).rejects.toBeInstanceOf(
      NotRegistered,
    );
  });
});
