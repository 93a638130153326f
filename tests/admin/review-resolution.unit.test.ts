import { describe, expect, it } from "vitest";
import { COUPON_RECORD_KEY, COUPON_RECORD_NAMESPACE } from "../../shared/adapters/shopify/coupon-records";
import type { AdminPrincipal } from "../../shared/auth/admin";
import { type ResolutionRequest, resolveReview } from "../../shared/conversion/resolution";
import {
  checkBalance,
  createCoupon,
  deductPoints,
  parkForReview,
  reconcileDeduction,
  type SagaState,
} from "../../shared/conversion/saga";
import { Conflict, PosUnavailable, Unprocessable } from "../../shared/errors";
import { ContradictedByPos, NotInReview } from "../../shared/resolution/claims";
import type { PosChangeOutcome } from "../support/fake-pos";
import { shopifyDown } from "../support/fake-shopify";
import {
  caught,
  customerGid,
  type FakeWorld,
  fakeWorld,
  member,
  reservedConversion,
  settleMs,
} from "../support/fake-world";

/**
 * Staff resolving a conversion the saga parked (shared/admin/review-resolution.ts). The service
 * never moves points here: it reads the POS, refuses what the POS clearly contradicts, and makes
 * the coupon usable (`points_taken`) or void (`points_not_taken`); a replay answers the same.
 */

const admin: AdminPrincipal = { id: "admin-subject-1", email: "ops@example.com", roles: ["admin"] };
const conversion = { type: "conversion" as const, id: "CONV1" };

/**
 * A conversion whose deduction's answer was lost (`change`) and whose reconciliation could not read
 * the POS, parked by the saga as ReconcileDeduction's Catch leaves it.
 */
async function parked(world: FakeWorld, change: PosChangeOutcome): Promise<SagaState> {
  const order = await reservedConversion(world);
  const [balance, coupon] = await Promise.all([
    checkBalance(world.deps.saga, order),
    createCoupon(world.deps.saga, order),
  ]);
  const state: SagaState = { ...order, prepared: { balance, coupon } };
  world.pos.nextChange(change);
  await caught(() => deductPoints(world.deps.saga, state));
  world.clock.advance(settleMs);
  world.pos.failNext(
    "listPointTransactions",
    new PosUnavailable("Smaregi answered 503 to the point history"),
  );
  const error = await caught(() => reconcileDeduction(world.deps.saga, state));
  await parkForReview(world.deps.saga, { ...state, error });
  world.clock.advance(60 * 60_000);
  return state;
}

const request = (overrides: Partial<ResolutionRequest> = {}): ResolutionRequest => ({
  admin,
  conversionId: "CONV1",
  idempotencyKey: "resolve-1",
  outcome: "points_taken",
  note: "Checked the POS journal: transaction 9001 took the points",
  ...overrides,
});

const resolve = (world: FakeWorld, overrides: Partial<ResolutionRequest> = {}) =>
  resolveReview(world.deps.resolution, request(overrides));

describe("resolving a parked conversion", () => {
  it("points_taken, as the POS shows: the coupon becomes usable and the customer sees it", async () => {
    // Prepare
    const world = fakeWorld({ balance: 1250 });
    const state = await parked(world, "timeout_applied");
    expect(world.shopify.discount(state.code)?.status).toBe("EXPIRED");

    // Act
    const answer = await resolve(world);

    // Assess
    expect(answer).toMatchObject({
      conversionId: "CONV1",
      status: "completed",
      coupon: { code: state.code, status: "active" },
      resolvedBy: "ops@example.com",
    });
    const [transaction] = world.pos.applied;
    expect(await world.conversions.getConversion("CONV1")).toMatchObject({
      status: "completed",
      transactionHeadIds: [transaction?.transactionHeadId],
      metafieldSaved: true,
    });
    expect(world.shopify.discount(state.code)).toMatchObject({ status: "ACTIVE", endsAt: state.expiresAt });
    expect(world.tables.coupon(state.code)?.status).toBe("active");
    expect(world.shopify.metafield(customerGid, COUPON_RECORD_NAMESPACE, COUPON_RECORD_KEY)).toEqual({
      coupons: [expect.objectContaining({ code: state.code, status: "active" })],
    });
    expect(world.pos.attempts).toHaveLength(1);
    expect(world.pos.netChange(member.posId)).toBe(-500);
  });

  it("points_not_taken, as the POS shows: the code is deleted, the coupon void and the allowance back", async () => {
    const world = fakeWorld({ balance: 1250 });
    const state = await parked(world, "timeout_not_applied");

    const answer = await resolve(world, { outcome: "points_not_taken", note: "Nothing at the POS" });

    expect(answer).toMatchObject({
      status: "compensated",
      coupon: { code: state.code, status: "cancelled" },
    });
    expect(world.shopify.discount(state.code)).toBeUndefined();
    expect(world.tables.coupon(state.code)).toMatchObject({
      status: "cancelled",
      cancelReason: "points_not_taken",
      cancelledBy: "ops@example.com",
    });
    expect(await world.conversions.getConversion("CONV1")).toMatchObject({
      status: "compensated",
      failure: { code: "pos_unavailable" },
      dailyRefunded: true,
    });
    expect(world.pos.netChange(member.posId)).toBe(0);
  });

  it("refuses points_not_taken when the POS lists the deduction, and changes nothing", async () => {
    const world = fakeWorld({ balance: 1250 });
    const state = await parked(world, "timeout_applied");

    const refusal = await resolve(world, { outcome: "points_not_taken" }).catch((e: unknown) => e);

    expect(refusal).toBeInstanceOf(ContradictedByPos);
    expect((refusal as ContradictedByPos).extensions).toMatchObject({ posEvidence: "applied" });
    expect((await world.conversions.getConversion("CONV1"))?.status).toBe("needs_review");
    expect(world.shopify.discount(state.code)?.status).toBe("EXPIRED");
    expect(world.tables.coupon(state.code)?.status).toBe("inactive");
    expect(world.tables.eventTypes(conversion)).toContain("conversion.resolution_refused:failed");
    expect(world.tables.resolutions.size).toBe(0);
  });

  it("refuses points_taken when the POS shows the deduction never landed", async () => {
    const world = fakeWorld({ balance: 1250 });
    const state = await parked(world, "timeout_not_applied");

    const refusal = await resolve(world, { outcome: "points_taken" }).catch((e: unknown) => e);

    expect(refusal).toBeInstanceOf(ContradictedByPos);
    expect((refusal as ContradictedByPos).extensions).toMatchObject({ posEvidence: "not_applied" });
    expect(world.shopify.discount(state.code)?.status).toBe("EXPIRED");
    expect((await world.conversions.getConversion("CONV1"))?.status).toBe("needs_review");
  });

  it("accepts either word when the POS cannot tell (the balance fell, nothing listed)", async () => {
    const taken = fakeWorld({ balance: 1250 });
    await parked(taken, "timeout_applied_unlisted");
    const notTaken = fakeWorld({ balance: 1250 });
    await parked(notTaken, "timeout_applied_unlisted");

    await expect(resolve(taken, { outcome: "points_taken" })).resolves.toMatchObject({ status: "completed" });
    await expect(resolve(notTaken, { outcome: "points_not_taken" })).resolves.toMatchObject({
      status: "compensated",
    });
  });

  it("answers a replay of the same request the same, without touching Shopify or the trail again", async () => {
    const world = fakeWorld({ balance: 1250 });
    await parked(world, "timeout_applied");
    const first = await resolve(world);
    const shopifyCalls = world.shopify.calls.length;

    const replayed = await resolve(world);

    expect(replayed).toEqual(first);
    expect(world.shopify.calls).toHaveLength(shopifyCalls);
    expect(
      world.tables.eventTypes(conversion).filter((type) => type.startsWith("conversion.resolved")),
    ).toEqual(["conversion.resolved:succeeded"]);
  });

  it("refuses the same key for a different request, and a second resolution of a resolved conversion", async () => {
    const world = fakeWorld({ balance: 1250 });
    await parked(world, "timeout_applied");
    await resolve(world);

    const reused = await resolve(world, { note: "another note" }).catch((e: unknown) => e);
    const second = await resolve(world, { idempotencyKey: "resolve-2" }).catch((e: unknown) => e);

    expect(reused).toBeInstanceOf(Unprocessable);
    expect((reused as Unprocessable).code).toBe("idempotency_key_reused");
    expect(second).toBeInstanceOf(NotInReview);
  });

  it("refuses a second request while another one's claim is live, and lets it take over once abandoned", async () => {
    const world = fakeWorld({ balance: 1250 });
    await parked(world, "timeout_applied");
    await world.deps.resolution.resolutions.claim({
      conversionId: "CONV1",
      idempotencyKey: "resolve-0",
      requestHash: "other",
      outcome: "points_taken",
      note: "died halfway",
      requestedBy: "someone",
      requestedByLabel: "someone@example.com",
      claimId: "claim-0",
      startedAt: world.clock.now().toISOString(),
    });

    const busy = await resolve(world).catch((e: unknown) => e);
    world.clock.advance(60_000);
    const afterwards = await resolve(world);

    expect(busy).toBeInstanceOf(Conflict);
    expect((busy as Conflict).code).toBe("resolution_in_progress");
    expect(afterwards.status).toBe("completed");
  });

  it("will not make a coupon usable that expired while it was in review", async () => {
    const world = fakeWorld({ balance: 1250 });
    await parked(world, "timeout_applied");
    world.clock.advance(366 * 24 * 3600_000);

    const refusal = await resolve(world).catch((e: unknown) => e);

    expect((refusal as Conflict).code).toBe("coupon_expired");
    expect((await world.conversions.getConversion("CONV1"))?.status).toBe("needs_review");
  });
});

describe("after a resolution is committed", () => {
  // As the saga does (reportRecordNotSaved): the coupon stands, the trail says so, the admins hear.
  it("records in the trail that the customer's coupon record could not be saved", async () => {
    const world = fakeWorld({ balance: 1250 });
    await parked(world, "timeout_applied");
    world.shopify.failNext("updateJsonMetafield", shopifyDown());

    const answer = await resolve(world);

    expect(answer.status).toBe("completed");
    expect(world.tables.eventTypes(conversion)).toContain("coupon_record.saved:failed");
  });
});
