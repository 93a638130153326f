import { describe, expect, it } from "vitest";
import { COUPON_RECORD_KEY, COUPON_RECORD_NAMESPACE } from "../../shared/adapters/shopify/coupon-records";
import type { AdminPrincipal } from "../../shared/auth/admin";
import {
  type CancellationResolutionRequest,
  resolveCancellationReview,
} from "../../shared/cancellation/resolution";
import {
  type CancellationState,
  checkCoupon,
  deactivateCode,
  parkForReview,
  recheckUsage,
  reconcileRefund,
  refundPoints,
} from "../../shared/cancellation/saga";
import { PosUnavailable } from "../../shared/errors";
import { ContradictedByPos, NotInReview } from "../../shared/resolution/claims";
import type { PosChangeOutcome } from "../support/fake-pos";
import {
  caught,
  customerGid,
  type FakeWorld,
  fakeWorld,
  member,
  runningCancellation,
  settleMs,
} from "../support/fake-world";

/**
 * Staff resolving a cancellation the saga parked (shared/cancellation/resolution.ts): the POS is
 * read, never written; an outcome it clearly contradicts is refused; `points_refunded` lets the
 * cancellation stand (and tells the customer), `points_not_refunded` gives the coupon back.
 */

const admin: AdminPrincipal = { id: "admin-subject-1", email: "ops@example.com", roles: ["admin"] };
const code = "70934-AB12CD-500";
const couponSubject = { type: "coupon" as const, id: code };

/** A refund whose answer was lost (`change`), parked after its reconciliation could not read the POS. */
async function parked(world: FakeWorld, change: PosChangeOutcome): Promise<CancellationState> {
  const order = await runningCancellation(world);
  const check = await checkCoupon(world.deps.cancellation, order);
  await deactivateCode(world.deps.cancellation, order);
  const usage = await recheckUsage(world.deps.cancellation, order);
  const state: CancellationState = { ...order, check, usage };
  world.pos.nextChange(change);
  const error = await caught(() => refundPoints(world.deps.cancellation, state));
  world.clock.advance(settleMs);
  world.pos.failNext("getBalance", new PosUnavailable("Smaregi answered 503"));
  const reconcileError = await caught(() => reconcileRefund(world.deps.cancellation, { ...state, error }));
  await parkForReview(world.deps.cancellation, { ...state, error, reconcileError });
  world.clock.advance(60 * 60_000);
  return state;
}

const resolve = (
  world: FakeWorld,
  state: CancellationState,
  overrides: Partial<CancellationResolutionRequest> = {},
) =>
  resolveCancellationReview(world.deps.cancellationResolution, {
    admin,
    cancellationId: state.cancellationId,
    idempotencyKey: "resolve-1",
    outcome: "points_refunded",
    note: "Checked the POS journal",
    ...overrides,
  });

describe("resolving a parked cancellation", () => {
  it("points_refunded, as the POS shows: the cancellation stands and the customer is told once", async () => {
    // Prepare
    const world = fakeWorld({ balance: 750 });
    const state = await parked(world, "timeout_applied");

    // Act
    const answer = await resolve(world, state);
    const replayed = await resolve(world, state);

    // Assess
    const [transaction] = world.pos.applied;
    expect(answer).toMatchObject({ status: "cancelled", coupon: { code, status: "cancelled" } });
    expect(replayed).toEqual(answer);
    expect(world.tables.coupon(code)).toMatchObject({
      status: "cancelled",
      refundTransactionHeadIds: [transaction?.transactionHeadId],
    });
    expect(await world.cancellations.getCancellation(state.cancellationId)).toMatchObject({
      status: "cancelled",
      refundedPoints: 500,
      resolvedBy: "ops@example.com",
    });
    expect(world.notices.sent).toHaveLength(1);
    expect(world.shopify.metafield(customerGid, COUPON_RECORD_NAMESPACE, COUPON_RECORD_KEY)).toEqual({
      coupons: [expect.objectContaining({ code, status: "cancelled" })],
    });
    expect(world.pos.attempts).toHaveLength(1);
    expect(world.pos.netChange(member.posId)).toBe(500);
    expect(
      world.tables.eventTypes(couponSubject).filter((type) => type.startsWith("cancellation.resolved")),
    ).toEqual(["cancellation.resolved:succeeded"]);
  });

  it("points_not_refunded, as the POS shows: the code is live again and the coupon can be cancelled afresh", async () => {
    const world = fakeWorld({ balance: 750 });
    const state = await parked(world, "timeout_not_applied");

    const answer = await resolve(world, state, { outcome: "points_not_refunded" });

    expect(answer).toMatchObject({ status: "failed", coupon: { code, status: "active" } });
    expect(world.shopify.discount(code)).toMatchObject({ status: "ACTIVE", endsAt: state.couponExpiresAt });
    expect(world.tables.coupon(code)?.status).toBe("active");
    expect(world.tables.guard(code)).toEqual({});
    expect(await world.cancellations.getCancellation(state.cancellationId)).toMatchObject({
      status: "failed",
      failure: { code: "resolved_not_refunded" },
    });
    expect(world.notices.sent).toEqual([]);
    expect(world.pos.netChange(member.posId)).toBe(0);
    const again = await world.cancellations.beginCancellation({
      ...state,
      cancellationId: `${code}-fedcba9876543210fedc`,
      idempotencyKey: "cancel-key-2",
      requestHash: "hash",
    });
    expect(again.outcome).toBe("started");
  });

  it("refuses points_not_refunded when the POS lists the refund", async () => {
    const world = fakeWorld({ balance: 750 });
    const state = await parked(world, "timeout_applied");

    const refusal = await resolve(world, state, { outcome: "points_not_refunded" }).catch((e: unknown) => e);

    expect(refusal).toBeInstanceOf(ContradictedByPos);
    expect((refusal as ContradictedByPos).extensions).toMatchObject({ posEvidence: "applied" });
    expect(world.tables.coupon(code)?.status).toBe("inactive");
    expect(world.shopify.discount(code)?.status).toBe("EXPIRED");
    expect((await world.cancellations.getCancellation(state.cancellationId))?.status).toBe("needs_review");
    expect(world.tables.eventTypes(couponSubject)).toContain("cancellation.resolution_refused:failed");
  });

  it("refuses points_refunded when the refund never landed", async () => {
    const world = fakeWorld({ balance: 750 });
    const state = await parked(world, "timeout_not_applied");

    const refusal = await resolve(world, state).catch((e: unknown) => e);

    expect(refusal).toBeInstanceOf(ContradictedByPos);
    expect((refusal as ContradictedByPos).extensions).toMatchObject({ posEvidence: "not_applied" });
    expect(world.notices.sent).toEqual([]);
    expect(world.tables.coupon(code)?.status).toBe("inactive");
  });

  it("refuses points_refunded for a refund the store declined", async () => {
    const world = fakeWorld({ balance: 750 });
    const order = await runningCancellation(world);
    const check = await checkCoupon(world.deps.cancellation, order);
    await deactivateCode(world.deps.cancellation, order);
    world.pos.nextChange("declined");
    const error = await caught(() => refundPoints(world.deps.cancellation, { ...order, check }));
    await parkForReview(world.deps.cancellation, { ...order, check, error });
    world.clock.advance(settleMs);

    const refusal = await resolve(world, order).catch((e: unknown) => e);

    expect(refusal).toBeInstanceOf(ContradictedByPos);
  });

  it("settles a coupon a checkout used while in review as used, refunding nothing", async () => {
    const world = fakeWorld({ balance: 750 });
    const state = await parked(world, "timeout_not_applied");
    world.shopify.redeem(code);

    const answer = await resolve(world, state, { outcome: "points_not_refunded" });

    expect(answer.coupon).toEqual({ code, status: "used" });
    expect(world.tables.coupon(code)?.status).toBe("used");
    expect(world.shopify.discount(code)?.status).toBe("EXPIRED");
  });

  it("refuses a cancellation that is not parked", async () => {
    const world = fakeWorld();
    const order = await runningCancellation(world);

    await expect(resolve(world, order)).rejects.toBeInstanceOf(NotInReview);
  });
});
