import { describe, expect, it } from "vitest";
import {
  AdjustmentNotApplied,
  type AdjustmentRequest,
  adjustPoints,
  requestHashOf,
} from "../../shared/admin/point-adjustments";
import type { AdminPrincipal } from "../../shared/auth/admin";
import { Conflict, PosDeclined, PosUnavailable, Unprocessable } from "../../shared/errors";
import { type FakeWorld, fakeWorld, member, settleMs } from "../support/fake-world";

/**
 * Staff point grants and corrections (shared/admin/point-adjustments.ts). The POS has no
 * idempotency key, so the record is written first and a change is sent once per proven need:
 * an unknown outcome is read back from the POS (applied -> done, not applied -> the same key may
 * send again, cannot tell -> staff review), and a replay never adds the points twice.
 */

const admin: AdminPrincipal = { id: "admin-subject-1", email: "ops@example.com", roles: ["admin"] };

const request: AdjustmentRequest = {
  admin,
  customerId: member.number,
  idempotencyKey: "adjust-1",
  points: 300,
  reason: "goodwill",
  note: "Sorry for the wait",
};

const adjust = (world: FakeWorld, overrides: Partial<AdjustmentRequest> = {}) =>
  adjustPoints(world.deps.adjustment, { ...request, ...overrides });

const record = (world: FakeWorld) => world.adjustments.get(member.number, "adjust-1");

describe("a point adjustment", () => {
  it("adds the points once and answers a replay of the same key from the record", async () => {
    // Prepare
    const world = fakeWorld({ balance: 1000 });

    // Act
    const applied = await adjust(world);
    const replayed = await adjust(world);

    // Assess
    expect(applied).toMatchObject({ outcome: "applied", replayed: false });
    expect(replayed).toMatchObject({ outcome: "applied", replayed: true });
    expect(world.pos.attempts).toHaveLength(1);
    expect(world.pos.balanceOf(member.posId)).toBe(1300);
    const [transaction] = world.pos.applied;
    expect(await record(world)).toMatchObject({
      status: "applied",
      balanceBefore: 1000,
      balanceAfter: 1300,
      transactionHeadIds: [transaction?.transactionHeadId],
    });
  });

  it("refuses the same key for a different adjustment", async () => {
    const world = fakeWorld();
    await adjust(world);

    const reused = await adjust(world, { points: 400 }).catch((e: unknown) => e);

    expect(reused).toBeInstanceOf(Unprocessable);
    expect((reused as Unprocessable).code).toBe("idempotency_key_reused");
    expect(world.pos.attempts).toHaveLength(1);
  });

  it("records a declined change and answers its replay with the refusal, without asking the POS again", async () => {
    const world = fakeWorld({ balance: 100 });

    const declined = await adjust(world, { points: -500, reason: "correction" }).catch((e: unknown) => e);
    const replayed = await adjust(world, { points: -500, reason: "correction" }).catch((e: unknown) => e);

    expect(declined).toBeInstanceOf(PosDeclined);
    expect(replayed).toBeInstanceOf(PosDeclined);
    expect(world.pos.attempts).toHaveLength(1);
    expect(world.pos.balanceOf(member.posId)).toBe(100);
    expect((await record(world))?.status).toBe("declined");
  });

  it("when the POS certainly got nothing, lets the same key send again, and the points arrive once", async () => {
    const world = fakeWorld({ balance: 1000 });
    world.pos.nextChange("unavailable");

    const first = await adjust(world).catch((e: unknown) => e);
    const retried = await adjust(world);

    expect(first).toBeInstanceOf(AdjustmentNotApplied);
    expect(retried).toMatchObject({ outcome: "applied", adjustment: { attempts: 2 } });
    expect(world.pos.attempts).toHaveLength(2);
    expect(world.pos.netChange(member.posId)).toBe(300);
  });
});

describe("an adjustment whose answer was lost", () => {
  it("is applied when, after the settle wait, the POS lists exactly one such change", async () => {
    const world = fakeWorld({ balance: 1000 });
    world.pos.nextChange("timeout_applied");

    const result = await adjust(world);

    const [transaction] = world.pos.applied;
    expect(world.slept).toEqual([settleMs]);
    expect(result).toMatchObject({
      outcome: "applied",
      adjustment: {
        status: "applied",
        transactionHeadIds: [transaction?.transactionHeadId],
        balanceAfter: 1300,
      },
    });
    expect(world.pos.attempts).toHaveLength(1);
  });

  it("is not applied when nothing arrived; a replay reads the POS again before sending once more", async () => {
    const world = fakeWorld({ balance: 1000 });
    world.pos.nextChange("timeout_not_applied");

    const first = await adjust(world).catch((e: unknown) => e);
    const afterFirst = await record(world);
    const retried = await adjust(world);

    expect(first).toBeInstanceOf(AdjustmentNotApplied);
    expect(afterFirst?.status).toBe("not_applied");
    expect(retried.outcome).toBe("applied");
    expect(world.pos.attempts).toHaveLength(2);
    expect(world.pos.netChange(member.posId)).toBe(300);
  });

  it("found landed late by a replay, is not sent a second time", async () => {
    const world = fakeWorld({ balance: 1000 });
    world.pos.nextChange("timeout_not_applied");
    await adjust(world).catch(() => undefined);
    // The lost request reached the POS after all, after the reconciliation had looked.
    world.pos.record(member.posId, { division: "6", at: world.clock.now().toISOString(), points: 300 });

    const replayed = await adjust(world);

    expect(replayed).toMatchObject({ outcome: "applied", replayed: true });
    expect(world.pos.attempts).toHaveLength(1);
    expect(world.pos.balanceOf(member.posId)).toBe(1300);
  });

  it("is not sent again while the lost request may still land, and once after that", async () => {
    const world = fakeWorld({ balance: 1000 });
    // As deployed: a short pause in the request, a lost request landing up to 30 s after it started.
    const deps = { ...world.deps.adjustment, settleMs: 3_000, lateLandingMs: 30_000 };
    world.pos.nextChange("timeout_not_applied");

    const first = await adjustPoints(deps, request).catch((e: unknown) => e);
    const early = await adjustPoints(deps, request).catch((e: unknown) => e);
    world.clock.advance(27_000);
    const later = await adjustPoints(deps, request);

    expect(first).toBeInstanceOf(AdjustmentNotApplied);
    expect((first as AdjustmentNotApplied).retryAfterSeconds).toBe(27);
    expect(early).toBeInstanceOf(AdjustmentNotApplied);
    expect((early as AdjustmentNotApplied).message).toContain("may still reach it for 27 s");
    expect(world.pos.attempts).toHaveLength(2);
    expect(later).toMatchObject({ outcome: "applied", replayed: false });
    expect(world.pos.netChange(member.posId)).toBe(300);
  });

  it("found landed by a replay while it could still land, is not sent a second time", async () => {
    const world = fakeWorld({ balance: 1000 });
    const deps = { ...world.deps.adjustment, settleMs: 3_000, lateLandingMs: 30_000 };
    world.pos.nextChange("timeout_not_applied");
    await adjustPoints(deps, request).catch(() => undefined);
    world.clock.advance(5_000);
    world.pos.record(member.posId, { division: "6", at: world.clock.now().toISOString(), points: 300 });

    const replayed = await adjustPoints(deps, request);

    expect(replayed).toMatchObject({ outcome: "applied", replayed: true });
    expect(world.pos.attempts).toHaveLength(1);
    expect(world.pos.balanceOf(member.posId)).toBe(1300);
  });

  it("goes to staff review, and alerts, when two unclaimed changes of that size could be it", async () => {
    const world = fakeWorld({ balance: 1000 });
    world.pos.nextChange("timeout_applied");
    world.pos.record(member.posId, { division: "6", at: world.clock.now().toISOString(), points: 300 });

    const result = await adjust(world);

    expect(result).toMatchObject({ outcome: "needs_review", adjustment: { status: "needs_review" } });
    expect(world.alerts.kinds()).toEqual(["needs_review"]);
    expect(world.pos.attempts).toHaveLength(1);
  });

  it("goes to staff review when the POS cannot be read, and never guesses", async () => {
    const world = fakeWorld({ balance: 1000 });
    world.pos.nextChange("timeout_not_applied");
    // The reconciliation after the settle wait cannot list the transactions.
    world.pos.failNext("listPointTransactions", new PosUnavailable("Smaregi answered 503"));

    const result = await adjust(world);

    expect(result.outcome).toBe("needs_review");
    expect(result.adjustment.reviewReason).toContain("the POS could not be read: Smaregi answered 503");
    expect(world.pos.attempts).toHaveLength(1);
  });

  it("does not take another record's change of the same size for its own", async () => {
    const world = fakeWorld({ balance: 1000 });
    const other = world.pos.record(member.posId, {
      division: "6",
      at: world.clock.now().toISOString(),
      points: 300,
    });
    const coupon = {
      code: "OTHER-300",
      conversionId: "CONV0",
      customerId: member.number,
      customerGid: "gid://shopify/Customer/1",
      discountId: "gid://shopify/DiscountCodeNode/99",
      amount: 300,
      currency: "JPY",
      pointsUsed: 300,
      type: "fixed_discount",
      status: "cancelled" as const,
      startsAt: world.clock.now().toISOString(),
      expiresAt: world.clock.now().toISOString(),
      refundTransactionHeadIds: [other.transactionHeadId],
    };
    await world.coupons.putCoupon(coupon);
    world.pos.nextChange("timeout_not_applied");

    const result = await adjust(world).catch((e: unknown) => e);

    expect(result).toBeInstanceOf(AdjustmentNotApplied);
  });

  it("is reported in progress to a replay while its attempt may still be running, then settled", async () => {
    const world = fakeWorld({ balance: 1000 });
    // An invocation that died after writing its record, before any outcome.
    await world.adjustments.create({
      adjustmentId: "ADJ1",
      customerId: member.number,
      idempotencyKey: "adjust-1",
      requestHash: requestHashOf({
        points: 300,
        reason: "goodwill",
        note: "Sorry for the wait",
      }),
      points: 300,
      reason: "goodwill",
      note: "Sorry for the wait",
      requestedBy: admin.id,
      requestedByLabel: "ops@example.com",
      posCustomerId: member.posId,
      status: "pending",
      attempts: 1,
      firstAttemptAt: world.clock.now().toISOString(),
      attemptStartedAt: world.clock.now().toISOString(),
      balanceBefore: 1000,
    });

    const busy = await adjust(world).catch((e: unknown) => e);
    world.clock.advance(2 * settleMs);
    const settled = await adjust(world).catch((e: unknown) => e);

    expect((busy as Conflict).code).toBe("adjustment_in_progress");
    expect(busy).toBeInstanceOf(Conflict);
    // Nothing was sent and nothing arrived: proven not applied, and the next replay may send.
    expect(settled).toBeInstanceOf(AdjustmentNotApplied);
    expect(world.pos.attempts).toHaveLength(0);
  });
});
