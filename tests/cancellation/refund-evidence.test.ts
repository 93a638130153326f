import { describe, expect, it } from "vitest";
import type { CancellationRecord, RefundGuard } from "../../shared/cancellation/records";
import { type RefundEvidenceDependencies, readRefundEvidence } from "../../shared/cancellation/resolution";
import { PosUnavailable } from "../../shared/errors";
import { contradictsPos, type PosEvidence } from "../../shared/pos/evidence";
import type { PointTransaction } from "../../shared/pos/ports";
import { FakePos } from "../support/fake-pos";

/**
 * What the POS says about a parked cancellation's refund, decided the way the saga's
 * reconciliation decides it: only a clear answer may later refuse an admin's resolution.
 */

const startedAt = new Date("2026-11-02T03:00:00.000Z");
const settleMs = 30_000;

const cancellation: CancellationRecord = {
  cancellationId: "70934-AB12CD-500-0123456789abcdef0123",
  code: "70934-AB12CD-500",
  idempotencyKey: "key-1",
  requestHash: "hash",
  conversionId: "CONV1",
  customerId: "8840734670934",
  customerGid: "gid://shopify/Customer/8840734670934",
  discountId: "gid://shopify/DiscountCodeNode/1",
  points: 500,
  amount: 500,
  currency: "JPY",
  couponStartsAt: "2026-11-01T00:00:00.000Z",
  couponExpiresAt: "2027-11-01T00:00:00.000Z",
  actorId: "admin:ops@example.com",
  cancelledBy: "ops@example.com",
  reason: "customer_request",
  requestedAt: "2026-11-02T02:59:55.000Z",
  status: "needs_review",
  reviewReason: "refund outcome unknown and the POS could not be read",
  createdAt: "2026-11-02T02:59:55.000Z",
  updatedAt: "2026-11-02T03:00:10.000Z",
};

const guardOf = (overrides: Partial<RefundGuard> = {}): RefundGuard => ({
  cancellationId: cancellation.cancellationId,
  refundStartedAt: startedAt.toISOString(),
  refundAttempts: 1,
  refundBalanceBefore: 750,
  ...overrides,
});

const addition = (id: string, points: number, afterMs = 1_000): PointTransaction => ({
  transactionHeadId: id,
  division: "6",
  at: new Date(startedAt.getTime() + afterMs).toISOString(),
  points,
});

function pos(
  options: {
    guard?: RefundGuard | undefined;
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
  const deps: RefundEvidenceDependencies = {
    pos: ledger,
    cancellations: { refundGuardOf: async () => ("guard" in options ? options.guard : guardOf()) },
    claimed: { of: async () => new Set(options.claimed ?? []) },
    now,
    refundSettleMs: settleMs,
  };
  return { deps, queries: ledger.queries, members: ledger.lookups };
}

describe("the POS evidence of a parked cancellation's refund", () => {
  it("finds the one addition of exactly the points since the first attempt, asking for the member", async () => {
    const { deps, queries, members } = pos({
      balance: 1250,
      transactions: [addition("T1", 500), addition("T0", 300)],
    });

    const evidence = await readRefundEvidence(deps, cancellation);

    expect(evidence).toMatchObject({ outcome: "applied", transactionHeadIds: ["T1"], balance: 1250 });
    // Only additions, from the first attempt less the clock skew, with no end: a second attempt
    // may have followed the first.
    expect(queries[0]).toEqual({
      divisions: ["6"],
      since: new Date(startedAt.getTime() - 60_000),
      limit: 100,
    });
    expect(members).toEqual([cancellation.customerId]);
  });

  it("counts an addition stamped long after the first attempt (the second attempt's)", async () => {
    const { deps } = pos({ balance: 1250, transactions: [addition("T2", 500, 5 * 60_000)] });

    const evidence = await readRefundEvidence(deps, cancellation);

    expect(evidence).toMatchObject({ outcome: "applied", transactionHeadIds: ["T2"] });
  });

  it.each([
    ["no refund attempt is recorded on the coupon", undefined],
    ["the coupon's refund attempt is another cancellation's", guardOf({ cancellationId: "OTHER" })],
    ["the coupon never started a refund", guardOf({ refundStartedAt: undefined })],
  ])("says not applied, without asking the POS, when %s", async (_case, guard) => {
    const { deps, queries } = pos({ guard });

    const evidence = await readRefundEvidence(deps, cancellation);

    expect(evidence).toEqual({
      outcome: "not_applied",
      reason: "no refund was ever sent for this cancellation",
    });
    expect(queries).toHaveLength(0);
  });

  it.each([
    ["another coupon's refund or a staff adjustment owns the only addition", [addition("T1", 500)], ["T1"]],
    ["the only addition is of other points", [addition("T2", 400)], []],
    [
      "the only addition came before the attempt (beyond the clock skew)",
      [addition("T3", 500, -120_000)],
      [],
    ],
    ["there is none", [], []],
  ])("says not applied when %s", async (_case, transactions, claimed) => {
    const { deps } = pos({ balance: 750, transactions, claimed });

    const evidence = await readRefundEvidence(deps, cancellation);

    expect(evidence.outcome).toBe("not_applied");
    expect(evidence.reason).toContain("no POS addition of 500 points since");
  });

  it.each([
    [
      "two additions could be this refund",
      { balance: 1750, transactions: [addition("T1", 500), addition("T2", 500, 2_000)] },
      "2 POS additions",
    ],
    ["none is listed but the balance rose", { balance: 800 }, "balance rose from 750 to 800"],
    ["the refund could still land", { now: new Date(startedAt.getTime() + 5_000) }, "could still land"],
  ])("cannot tell when %s", async (_case, setup, reason) => {
    const { deps } = pos(setup);

    const evidence = await readRefundEvidence(deps, cancellation);

    expect(evidence.outcome).toBe("unknown");
    expect(evidence.reason).toContain(reason);
  });

  it("reports a POS that cannot be read as unreadable, never as an answer", async () => {
    const { deps } = pos({ unreadable: true });

    const evidence = await readRefundEvidence(deps, cancellation);

    expect(evidence).toMatchObject({
      outcome: "unreadable",
      reason: "the POS could not be read: Smaregi answered 503 to the point history",
    });
  });
});

describe("when the POS refuses the admin's word", () => {
  const evidence = (outcome: PosEvidence["outcome"]): PosEvidence => ({ outcome, reason: "" });

  it.each([
    ["points_refunded", true, "not_applied", true],
    ["points_refunded", true, "applied", false],
    ["points_refunded", true, "unknown", false],
    ["points_refunded", true, "unreadable", false],
    ["points_not_refunded", false, "applied", true],
    ["points_not_refunded", false, "not_applied", false],
    ["points_not_refunded", false, "unknown", false],
    ["points_not_refunded", false, "unreadable", false],
  ] as const)("%s against a POS that says %s: refused %s", (_outcome, saysRefunded, pos, refused) => {
    expect(contradictsPos(saysRefunded, evidence(pos))).toBe(refused);
  });
});
