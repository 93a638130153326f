import { describe, expect, it } from "vitest";
import { type EvidenceDependencies, readPosEvidence } from "../../shared/conversion/resolution";
import { PosUnavailable } from "../../shared/errors";
import { balanceExplainedWithout } from "../../shared/pos/evidence";
import type { PointTransaction } from "../../shared/pos/ports";
import type { ConversionRecord } from "../../shared/store";
import { FakePos } from "../support/fake-pos";

/**
 * What the POS says about a parked conversion's deduction, decided the way the saga's
 * reconciliation decides it: only a clear answer may later refuse an admin's resolution.
 */

const startedAt = new Date("2026-11-02T01:00:00.000Z");
const settleMs = 30_000;

const conversion = (overrides: Partial<ConversionRecord> = {}): ConversionRecord => ({
  conversionId: "CONV1",
  customerId: "8840734670934",
  customerGid: "gid://shopify/Customer/8840734670934",
  memberNumber: "8840734670934",
  posCustomerId: "1001",
  points: 500,
  amount: 500,
  currency: "JPY",
  code: "70934-AB12CD-500",
  startsAt: "2026-11-02T00:59:58.000Z",
  expiresAt: "2027-11-02T00:59:58.000Z",
  status: "needs_review",
  idempotencyKey: "key-1",
  requestHash: "hash",
  balanceBefore: 1250,
  deductionStartedAt: startedAt.toISOString(),
  shopDate: "2026-11-02",
  createdAt: "2026-11-02T00:59:58.000Z",
  updatedAt: "2026-11-02T01:00:05.000Z",
  ...overrides,
});

const subtraction = (id: string, points: number, afterMs = 1_000): PointTransaction => ({
  transactionHeadId: id,
  division: "7",
  at: new Date(startedAt.getTime() + afterMs).toISOString(),
  points,
});

function pos(
  options: {
    balance?: number;
    transactions?: PointTransaction[];
    claimed?: string[];
    unreadable?: boolean;
    now?: Date;
  } = {},
) {
  const now = () => options.now ?? new Date(startedAt.getTime() + 10 * 60_000);
  const ledger = new FakePos({ now })
    .withMember("8840734670934", "1001", options.balance ?? 750)
    .listed("1001", ...(options.transactions ?? []));
  if (options.unreadable) {
    ledger.failNext("listPointTransactions", new PosUnavailable("Smaregi answered 503 to the point history"));
  }
  const deps: EvidenceDependencies = {
    pos: ledger,
    claimed: { of: async () => new Set(options.claimed ?? []) },
    now,
    deductionSettleMs: settleMs,
  };
  return { deps, queries: ledger.queries, members: ledger.lookups };
}

describe("the POS evidence of a parked conversion", () => {
  it("finds the one subtraction of exactly the points while the deduction could land", async () => {
    const { deps, queries } = pos({ transactions: [subtraction("T1", -500), subtraction("T0", -300)] });

    const evidence = await readPosEvidence(deps, conversion());

    expect(evidence).toMatchObject({ outcome: "applied", transactionHeadIds: ["T1"], balance: 750 });
    // Only subtractions, from the attempt (less the clock skew) to the settle time (plus the skew).
    expect(queries[0]).toMatchObject({
      divisions: ["7"],
      since: new Date(startedAt.getTime() - 60_000),
      until: new Date(startedAt.getTime() + settleMs + 60_000),
    });
  });

  it("says not applied when no deduction was ever sent, without asking the POS", async () => {
    const { deps, queries } = pos();

    const evidence = await readPosEvidence(deps, conversion({ deductionStartedAt: undefined }));

    expect(evidence).toMatchObject({
      outcome: "not_applied",
      reason: expect.stringContaining("no deduction was ever sent"),
    });
    expect(queries).toHaveLength(0);
  });

  it.each([
    ["another record owns the only subtraction", [subtraction("T1", -500)], ["T1"]],
    ["the only subtraction is of other points", [subtraction("T2", -400)], []],
    [
      "the only subtraction came after the deduction could land",
      [subtraction("T3", -500, settleMs + 120_000)],
      [],
    ],
    ["there is none", [], []],
  ])("says not applied when %s", async (_case, transactions, claimed) => {
    const { deps } = pos({ balance: 1250, transactions, claimed });

    const evidence = await readPosEvidence(deps, conversion());

    expect(evidence.outcome).toBe("not_applied");
  });

  it.each([
    [
      "two subtractions could be this conversion's",
      { transactions: [subtraction("T1", -500), subtraction("T2", -500, 2_000)] },
      "2 POS subtractions",
    ],
    ["none is listed but the balance fell", { balance: 750 }, "balance fell"],
    ["the deduction could still land", { now: new Date(startedAt.getTime() + 5_000) }, "could still land"],
  ])("cannot tell when %s", async (_case, setup, reason) => {
    const { deps } = pos(setup);

    const evidence = await readPosEvidence(deps, conversion());

    expect(evidence.outcome).toBe("unknown");
    expect(evidence.reason).toContain(reason);
  });

  it("says not applied when a till sale listed since the attempt explains the whole fall", async () => {
    const sale: PointTransaction = { ...subtraction("S1", -100, 3_000), division: "1" };
    const { deps } = pos({ balance: 1150, transactions: [sale] });

    const evidence = await readPosEvidence(deps, conversion());

    expect(evidence.outcome).toBe("not_applied");
  });

  it("cannot tell when a listed sale of the deduction's size fits the fall as well as the deduction", async () => {
    const sale: PointTransaction = { ...subtraction("S1", -500, -20_000), division: "1" };
    const { deps } = pos({ balance: 750, transactions: [sale] });

    const evidence = await readPosEvidence(deps, conversion());

    expect(evidence.outcome).toBe("unknown");
    expect(evidence.reason).toContain("balance fell");
  });

  it("reports a POS that cannot be read as unreadable, never as an answer", async () => {
    const { deps } = pos({ unreadable: true });

    const evidence = await readPosEvidence(deps, conversion());

    expect(evidence).toMatchObject({
      outcome: "unreadable",
      reason: "the POS could not be read: Smaregi answered 503 to the point history",
    });
  });

  it("finds the member when the conversion never learnt its POS id", async () => {
    const { deps, members } = pos({ transactions: [subtraction("T1", -500)] });

    const evidence = await readPosEvidence(deps, conversion({ posCustomerId: undefined }));

    expect(members).toEqual(["8840734670934"]);
    expect(evidence.outcome).toBe("applied");
  });
});

describe("a balance move explained by listed transactions alone", () => {
  it.each([
    ["a 100-point sale explains a fall of 100 during a 500-point deduction", 1250, 1150, [-100], true],
    ["a sale and a refund explain their sum", 1250, 1350, [-100, 200], true],
    ["nothing listed explains no fall only", 1250, 1250, [], true],
    ["a fall of 500 fits both a listed 500 sale and the deduction", 1250, 750, [-500], false],
    ["a fall of 600 fits the sale plus the deduction", 1250, 650, [-100], false],
    ["a fall nothing listed adds up to", 1250, 1000, [-100], false],
    ["more listed changes than can be combined", 1250, 1150, Array.from({ length: 11 }, () => -10), false],
  ])("%s", (_case, before, current, listed, explained) => {
    expect(balanceExplainedWithout(before, current, listed, -500)).toBe(explained);
  });
});
