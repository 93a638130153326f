import { describe, expect, it } from "vitest";
import { COUPON_RECORD_KEY, COUPON_RECORD_NAMESPACE } from "../../shared/adapters/shopify/coupon-records";
import { CouponNotHeld, DiscountCodeMissing, DiscountStillActive } from "../../shared/cancellation/errors";
import { takeBackLateRefund } from "../../shared/cancellation/late-refund";
import {
  type CancellationState,
  checkCoupon,
  completeCancellation,
  deactivateCode,
  failureOf,
  markUsed,
  notifyCustomer,
  parkForReview,
  recheckUsage,
  reconcileRefund,
  refundPoints,
  reportEmailNotSent,
  reportRecordNotSaved,
  restoreCoupon,
  saveCancelledRecord,
} from "../../shared/cancellation/saga";
import { PosDeclined, PosOutcomeUnknown, PosTimeout, PosUnavailable } from "../../shared/errors";
import { shopifyDown } from "../support/fake-shopify";
import {
  caught,
  customerGid,
  type FakeWorld,
  fakeWorld,
  member,
  runningCancellation,
  settleMs,
  staffAdjustment,
} from "../support/fake-world";

/**
 * The cancellation saga's steps (state-machines/cancel-coupon.asl.json) against an in-memory shop.
 * Points go back at most once, a used coupon is never refunded, an unknown refund is read from the
 * POS (applied -> cancel, not applied -> one more attempt, cannot tell -> staff), and a
 * cancellation that refunded nothing gives the coupon back.
 */

const code = "70934-AB12CD-500";
const couponSubject = { type: "coupon" as const, id: code };

/** CheckCoupon, DeactivateCode, RecheckUsage: the state RefundPoints starts from. */
async function readyToRefund(world: FakeWorld): Promise<CancellationState> {
  const order = await runningCancellation(world);
  const check = await checkCoupon(world.deps.cancellation, order);
  const deactivation = await deactivateCode(world.deps.cancellation, order);
  const usage = await recheckUsage(world.deps.cancellation, order);
  return { ...order, check, deactivation, usage };
}

/** RefundPoints caught by `States.ALL`, LetRefundSettle, ReconcileRefund. */
async function refundLost(world: FakeWorld, state: CancellationState): Promise<CancellationState> {
  const error = await caught(() => refundPoints(world.deps.cancellation, state));
  world.clock.advance(settleMs);
  return {
    ...state,
    error,
    reconciliation: await reconcileRefund(world.deps.cancellation, { ...state, error }),
  };
}

/** CompleteCancellation, SaveCouponRecord, NotifyCustomer. */
async function finish(world: FakeWorld, state: CancellationState) {
  await completeCancellation(world.deps.cancellation, state);
  await saveCancelledRecord(world.deps.cancellation, state);
  return notifyCustomer(world.deps.cancellation, state);
}

const cancellation = (world: FakeWorld, state: CancellationState) =>
  world.cancellations.getCancellation(state.cancellationId);

describe("CheckCoupon", () => {
  it("finds the coupon unused and the member at the store", async () => {
    const world = fakeWorld();
    const order = await runningCancellation(world);

    const check = await checkCoupon(world.deps.cancellation, order);

    expect(check).toEqual({ used: false, asyncUsageCount: 0, posCustomerId: member.posId });
  });

  it("stops at a coupon Shopify counts as used, or one an order webhook recorded", async () => {
    const world = fakeWorld();
    const order = await runningCancellation(world);
    world.shopify.redeem(code);

    const counted = await checkCoupon(world.deps.cancellation, order);

    expect(counted).toEqual({ used: true, asyncUsageCount: 1 });
    const other = fakeWorld();
    const recorded = await runningCancellation(other);
    await other.coupons.updateCouponStatus(code, ["cancelling"], { orderId: "gid://shopify/Order/1" });
    expect(await checkCoupon(other.deps.cancellation, recorded)).toEqual({ used: true, asyncUsageCount: 0 });
  });

  it("refuses a coupon this cancellation does not hold, and a code Shopify does not have", async () => {
    const world = fakeWorld();
    const order = await runningCancellation(world);

    await expect(
      checkCoupon(world.deps.cancellation, { ...order, cancellationId: "someone-else" }),
    ).rejects.toBeInstanceOf(CouponNotHeld);
    await world.shopify.deleteDiscount(order.discountId);
    await expect(checkCoupon(world.deps.cancellation, order)).rejects.toBeInstanceOf(DiscountCodeMissing);
  });
});

describe("DeactivateCode and RecheckUsage", () => {
  it("ends the code in Shopify before any point goes back", async () => {
    const world = fakeWorld();
    const order = await runningCancellation(world);

    const deactivation = await deactivateCode(world.deps.cancellation, order);
    const usage = await recheckUsage(world.deps.cancellation, order);

    expect(deactivation).toEqual({ status: "EXPIRED" });
    expect(usage).toEqual({ used: false, asyncUsageCount: 0, couponStatus: "cancelling" });
  });

  it("will not refund while Shopify still shows the code active", async () => {
    const world = fakeWorld();
    const order = await runningCancellation(world);

    await expect(recheckUsage(world.deps.cancellation, order)).rejects.toBeInstanceOf(DiscountStillActive);
  });

  it("stops with nothing refunded when a checkout redeemed the code just before it ended", async () => {
    // Prepare
    const world = fakeWorld({ balance: 750 });
    const order = await runningCancellation(world);
    const check = await checkCoupon(world.deps.cancellation, order);
    await deactivateCode(world.deps.cancellation, order);
    world.shopify.redeem(code);

    // Act: RecheckUsage -> StillUnused (used) -> MarkUsed
    const usage = await recheckUsage(world.deps.cancellation, order);
    const stopped = await markUsed(world.deps.cancellation, { ...order, check, usage });

    // Assess
    expect(usage.used).toBe(true);
    expect(stopped).toEqual({ status: "used" });
    expect(world.pos.attempts).toHaveLength(0);
    expect(world.tables.coupon(code)?.status).toBe("used");
    expect(await cancellation(world, order)).toMatchObject({
      status: "used",
      failure: { code: "already_used" },
    });
  });

  it("MarkUsed accepts a coupon an order webhook marked used first", async () => {
    const world = fakeWorld();
    const order = await runningCancellation(world);
    await world.coupons.updateCouponStatus(code, ["cancelling"], { status: "used" });

    await expect(markUsed(world.deps.cancellation, order)).resolves.toEqual({ status: "used" });
  });
});

describe("RefundPoints", () => {
  it("gives the points back once, and the cancellation completes, saves the record and emails the customer", async () => {
    // Prepare
    const world = fakeWorld({ balance: 750 });
    const state = await readyToRefund(world);

    // Act
    const refund = await refundPoints(world.deps.cancellation, state);
    const notice = await finish(world, { ...state, refund });

    // Assess
    expect(world.pos.netChange(member.posId)).toBe(500);
    expect(world.pos.balanceOf(member.posId)).toBe(1250);
    const [transaction] = world.pos.applied;
    expect(world.tables.coupon(code)).toMatchObject({
      status: "cancelled",
      cancelledBy: "ops@example.com",
      cancelReason: "customer_request",
      refundTransactionHeadIds: [transaction?.transactionHeadId],
    });
    expect(await cancellation(world, state)).toMatchObject({
      status: "cancelled",
      refundedPoints: 500,
      balanceAfter: 1250,
    });
    expect(world.shopify.metafield(customerGid, COUPON_RECORD_NAMESPACE, COUPON_RECORD_KEY)).toEqual({
      coupons: [expect.objectContaining({ code, status: "cancelled" })],
    });
    expect(notice).toEqual({ sent: true, messageId: "message-1", locale: "ja" });
    expect(world.notices.sent).toEqual([
      { to: "taro@example.com", locale: "ja", customerName: "Taro Yamada", code, refundedPoints: 500 },
    ]);
  });

  it("never refunds twice when the step runs again: it reconciles instead", async () => {
    const world = fakeWorld();
    const state = await readyToRefund(world);
    await refundPoints(world.deps.cancellation, state);

    const rerun = await refundPoints(world.deps.cancellation, state).catch((e: unknown) => e);

    expect(rerun).toBeInstanceOf(PosOutcomeUnknown);
    expect(world.pos.attempts).toHaveLength(1);
    expect(world.pos.netChange(member.posId)).toBe(500);
  });

  it("treats a balance read that timed out before sending as certainly not refunded", async () => {
    const world = fakeWorld();
    const state = await readyToRefund(world);
    world.pos.failNext("getBalance", new PosTimeout("Smaregi did not answer"));

    await expect(refundPoints(world.deps.cancellation, state)).rejects.toBeInstanceOf(PosUnavailable);

    expect(world.pos.attempts).toHaveLength(0);
    expect(world.tables.guard(code)?.refundStartedAt).toBeUndefined();
  });
});

describe("ReconcileRefund", () => {
  it("says applied when the POS lists the lost refund, and the cancellation completes with it", async () => {
    const world = fakeWorld({ balance: 750 });
    const state = await readyToRefund(world);
    world.pos.nextChange("timeout_applied");

    const reconciled = await refundLost(world, state);
    await completeCancellation(world.deps.cancellation, reconciled);

    const [transaction] = world.pos.applied;
    expect(reconciled.reconciliation).toMatchObject({
      outcome: "applied",
      transactionHeadIds: [transaction?.transactionHeadId],
      balanceAfter: 1250,
    });
    expect(world.pos.attempts).toHaveLength(1);
    expect(world.tables.coupon(code)).toMatchObject({
      status: "cancelled",
      refundTransactionHeadIds: [transaction?.transactionHeadId],
    });
  });

  it("waits instead of sending the refund again while the first may still land", async () => {
    // Prepare
    const world = fakeWorld({ balance: 750 });
    const state = await readyToRefund(world);
    world.pos.nextChange("timeout_not_applied");
    const error = await caught(() => refundPoints(world.deps.cancellation, state));
    world.clock.advance(5_000);

    // Act: LetRefundSettle (5 s) -> ReconcileRefund, then WaitForLateRefund -> ReconcileRefund
    const early = await reconcileRefund(world.deps.cancellation, { ...state, error });
    world.clock.advance(25_000);
    const settled = await reconcileRefund(world.deps.cancellation, { ...state, error });

    // Assess: twice the write timeout after the first attempt, and only then "not applied".
    expect(early).toMatchObject({ outcome: "pending", waitSeconds: 25 });
    expect(settled.outcome).toBe("not_applied");
    expect(world.pos.attempts).toHaveLength(1);
  });

  it("says not applied when nothing arrived, and the one more attempt refunds exactly once", async () => {
    // Prepare
    const world = fakeWorld({ balance: 750 });
    const state = await readyToRefund(world);
    world.pos.nextChange("timeout_not_applied");

    // Act: RefundOutcome (not_applied, first attempt) -> RefundAgain -> RefundPoints
    const reconciled = await refundLost(world, state);
    const again = { ...reconciled, refundAttempt: 2 };
    const refund = await refundPoints(world.deps.cancellation, again);
    await finish(world, { ...again, refund });

    // Assess
    expect(reconciled.reconciliation?.outcome).toBe("not_applied");
    expect(world.pos.attempts).toHaveLength(2);
    expect(world.pos.netChange(member.posId)).toBe(500);
    expect(world.tables.guard(code)).toMatchObject({ refundAttempts: 2 });
    expect((await cancellation(world, state))?.status).toBe("cancelled");
  });

  it("parks after the second attempt also went missing, instead of sending a third", async () => {
    const world = fakeWorld();
    const state = await readyToRefund(world);
    world.pos.nextChange("timeout_not_applied", "timeout_not_applied");
    const first = await refundLost(world, state);

    const second = await refundLost(world, { ...first, refundAttempt: 2 });
    await parkForReview(world.deps.cancellation, second);

    expect(second.reconciliation?.outcome).toBe("not_applied");
    expect(world.pos.attempts).toHaveLength(2);
    expect(world.pos.netChange(member.posId)).toBe(0);
    expect(await cancellation(world, state)).toMatchObject({ status: "needs_review" });
    expect((await cancellation(world, state))?.reviewReason).toMatch(
      /^the refund was not applied after 2 attempt\(s\): no POS addition/,
    );
  });

  it("says unknown when two additions of the same size could be the refund: it may have gone back twice", async () => {
    const world = fakeWorld();
    const state = await readyToRefund(world);
    world.pos.nextChange("timeout_applied");
    world.pos.record(member.posId, { division: "6", at: world.clock.now().toISOString(), points: 500 });

    const reconciled = await refundLost(world, state);

    expect(reconciled.reconciliation?.outcome).toBe("unknown");
    expect(reconciled.reconciliation?.reason).toContain("the points may have been refunded twice");
  });

  it("says unknown when the balance rose by the refund although no addition is listed", async () => {
    const world = fakeWorld({ balance: 750 });
    const state = await readyToRefund(world);
    world.pos.nextChange("timeout_applied_unlisted");

    const reconciled = await refundLost(world, state);

    expect(reconciled.reconciliation?.outcome).toBe("unknown");
    expect(reconciled.reconciliation?.reason).toContain("the balance rose from 750 to 1250");
  });

  it("never takes another coupon's refund for this one", async () => {
    const world = fakeWorld();
    const state = await readyToRefund(world);
    const other = world.pos.record(member.posId, {
      division: "6",
      at: world.clock.now().toISOString(),
      points: 500,
    });
    const mine = world.tables.coupon(code);
    if (!mine) throw new Error("no coupon");
    await world.coupons.putCoupon({
      ...mine,
      code: "OTHER-500",
      conversionId: "CONV0",
      status: "cancelled",
      refundTransactionHeadIds: [other.transactionHeadId],
    });
    world.pos.nextChange("timeout_not_applied");

    const reconciled = await refundLost(world, state);

    expect(reconciled.reconciliation?.outcome).toBe("not_applied");
  });
});

describe("RestoreCoupon", () => {
  it("gives the coupon back when the POS refused to take the refund request (nothing was sent)", async () => {
    // Prepare
    const world = fakeWorld();
    const state = await readyToRefund(world);
    world.pos.nextChange("unavailable");

    // Act: RefundPoints caught (PosUnavailable) -> RefundNotSent (first attempt) -> RestoreCoupon
    const error = await caught(() => refundPoints(world.deps.cancellation, state));
    const restored = await restoreCoupon(world.deps.cancellation, { ...state, error });

    // Assess
    expect(restored.failure.code).toBe("pos_unavailable");
    expect(restored.restored).toBe("the code is active again");
    expect(world.shopify.discount(code)?.status).toBe("ACTIVE");
    expect(world.shopify.discount(code)?.endsAt).toBe(state.couponExpiresAt);
    expect(world.tables.coupon(code)?.status).toBe("active");
    expect(world.tables.guard(code)).toEqual({});
    expect(await cancellation(world, state)).toMatchObject({
      status: "failed",
      failure: { code: "pos_unavailable" },
    });
    expect(world.pos.netChange(member.posId)).toBe(0);
  });

  it("marks the coupon used instead when a checkout redeemed it meanwhile", async () => {
    const world = fakeWorld();
    const state = await readyToRefund(world);
    world.shopify.redeem(code);
    const error = await caught(async () => {
      throw new PosUnavailable("down");
    });

    const restored = await restoreCoupon(world.deps.cancellation, { ...state, error });

    expect(restored.restored).toBe("the coupon turned out to be used; marked used, nothing refunded");
    expect(world.tables.coupon(code)?.status).toBe("used");
    expect(world.shopify.discount(code)?.status).toBe("EXPIRED");
  });

  it("leaves alone a coupon another cancellation holds", async () => {
    const world = fakeWorld();
    const order = await runningCancellation(world);
    // A second request for the same coupon, whose saga finds the coupon held by the first.
    const first = await cancellation(world, order);
    if (!first) throw new Error("no cancellation");
    world.tables.cancellations.set("x", { ...first, cancellationId: "x", idempotencyKey: "cancel-key-2" });
    const error = await caught(() => checkCoupon(world.deps.cancellation, { ...order, cancellationId: "x" }));

    const restored = await restoreCoupon(world.deps.cancellation, { ...order, cancellationId: "x", error });

    expect(restored.restored).toBe("nothing to give back: this cancellation does not hold the coupon");
    expect(world.tables.coupon(code)?.status).toBe("cancelling");
    expect(failureOf({ ...order, error }).code).toBe("cancellation_conflict");
    expect((await cancellation(world, order))?.status).toBe("running");
  });
});

describe("ParkForReview", () => {
  it("keeps the coupon inactive and tells the admins when the store declined the refund", async () => {
    const world = fakeWorld();
    const state = await readyToRefund(world);
    world.pos.nextChange("declined");
    const error = await caught(() => refundPoints(world.deps.cancellation, state));

    await parkForReview(world.deps.cancellation, { ...state, error });

    expect(error.Error).toBe(PosDeclined.name);
    expect(world.tables.coupon(code)?.status).toBe("inactive");
    expect((await cancellation(world, state))?.reviewReason).toBe(
      "the store declined the refund: The balance would go below zero",
    );
    expect(world.alerts.kinds()).toEqual(["needs_review"]);
    expect(world.tables.eventTypes(couponSubject)).toContain("cancellation.needs_review:unknown");
  });

  it("says the POS could not be read when reconciliation failed", async () => {
    const world = fakeWorld();
    const state = await readyToRefund(world);
    world.pos.nextChange("timeout_not_applied");
    const error = await caught(() => refundPoints(world.deps.cancellation, state));
    world.pos.failNext("getBalance", new PosUnavailable("Smaregi answered 503"));
    const reconcileError = await caught(() => reconcileRefund(world.deps.cancellation, { ...state, error }));

    await parkForReview(world.deps.cancellation, { ...state, error, reconcileError });

    expect((await cancellation(world, state))?.reviewReason).toBe(
      "refund outcome unknown and the POS could not be read: Smaregi answered 503",
    );
  });
});

describe("CompleteCancellation and the customer's side", () => {
  it("keeps the first cancelledAt when the step runs again", async () => {
    const world = fakeWorld();
    const state = await readyToRefund(world);
    const refund = await refundPoints(world.deps.cancellation, state);
    const first = await completeCancellation(world.deps.cancellation, { ...state, refund });
    world.clock.advance(5_000);

    const again = await completeCancellation(world.deps.cancellation, { ...state, refund });

    expect(again.cancelledAt).toBe(first.cancelledAt);
    expect(world.pos.netChange(member.posId)).toBe(500);
  });

  it("reports a record not saved and an email not sent, and the cancellation stands", async () => {
    const world = fakeWorld();
    const state = await readyToRefund(world);
    const refund = await refundPoints(world.deps.cancellation, state);
    await completeCancellation(world.deps.cancellation, { ...state, refund });
    world.shopify.failNext("updateJsonMetafield", shopifyDown());
    world.notices.failNext(new Error("SES throttled"));

    const recordError = await caught(() => saveCancelledRecord(world.deps.cancellation, state));
    await reportRecordNotSaved(world.deps.cancellation, { ...state, recordError });
    const noticeError = await caught(() => notifyCustomer(world.deps.cancellation, state));
    await reportEmailNotSent(world.deps.cancellation, { ...state, noticeError });

    expect(world.alerts.kinds()).toEqual(["coupon_record_not_saved", "email_not_sent"]);
    expect((await cancellation(world, state))?.status).toBe("cancelled");
  });

  it("sends no email to a customer without an address", async () => {
    const world = fakeWorld();
    world.shopify.withCustomer({ id: customerGid, email: null });
    const order = await runningCancellation(world);

    const notice = await notifyCustomer(world.deps.cancellation, order);

    expect(notice).toEqual({ sent: false });
    expect(world.notices.sent).toEqual([]);
  });
});

describe("TakeBackLateRefund", () => {
  /** The first refund's answer was lost, nothing was found, the second was sent and answered. */
  async function cancelledAfterSecondRefund(world: FakeWorld): Promise<CancellationState> {
    const state = await readyToRefund(world);
    world.pos.nextChange("timeout_not_applied");
    const reconciled = await refundLost(world, state);
    const again = { ...reconciled, refundAttempt: 2 };
    const refund = await refundPoints(world.deps.cancellation, again);
    await finish(world, { ...again, refund });
    return { ...again, refund };
  }

  /** The POS applies the first refund after all (a queue on its side). */
  const landLate = (world: FakeWorld) =>
    world.pos.record(member.posId, { division: "6", at: world.clock.now().toISOString(), points: 500 });

  const lateDeps = (world: FakeWorld) => ({
    ...world.deps.adjustment,
    coupons: world.coupons,
    cancellations: world.cancellations,
  });

  it("takes back the points a late first refund gave twice, once, and the coupon owns both refunds", async () => {
    // Prepare
    const world = fakeWorld({ balance: 750 });
    const state = await cancelledAfterSecondRefund(world);
    const late = landLate(world);
    world.clock.advance(300_000);

    // Act: WaitBeforeRecheckingRefund -> TakeBackLateRefund, then the step once more (a retry)
    const checked = await takeBackLateRefund(lateDeps(world), state);
    const again = await takeBackLateRefund(lateDeps(world), state);

    // Assess: refunded once in the end, taken back once.
    expect(checked).toEqual({
      found: "this_cancellation",
      transactionHeadId: late.transactionHeadId,
      takenBack: "applied",
    });
    expect(again).toEqual(checked);
    expect(world.pos.balanceOf(member.posId)).toBe(1250);
    expect(world.pos.applied.filter((change) => change.delta === -500)).toHaveLength(1);
    expect(world.tables.coupon(code)?.refundTransactionHeadIds).toEqual([
      ...(state.refund?.transactionHeadIds ?? []),
      late.transactionHeadId,
    ]);
    expect((await cancellation(world, state))?.refundTransactionHeadIds).toContain(late.transactionHeadId);
    const [adjustment] = await world.adjustments.listByCustomer(member.number, 10);
    expect(adjustment).toMatchObject({
      idempotencyKey: `late-refund-${state.cancellationId}`,
      points: -500,
      status: "applied",
      requestedBy: "system:late-refund-take-back",
    });
    expect(world.tables.eventTypes(couponSubject)).toContain("points.refunded_late:succeeded");
    expect(world.tables.eventTypes(couponSubject).at(-1)).toBe("points.taken_back:succeeded");
    expect(world.alerts.raised).toEqual([]);
  });

  it("takes nothing back when the answered refund came without ids and the one addition is it", async () => {
    // Prepare: the POS answered the second refund without transaction ids.
    const world = fakeWorld({ balance: 750 });
    const state = await cancelledAfterSecondRefund(world);
    world.clock.advance(300_000);
    const withoutIds = { ...state, refund: { balanceAfter: 1250, transactionHeadIds: [] } };
    await world.coupons.updateCouponStatus(code, ["cancelled"], { refundTransactionHeadIds: [] });

    // Act
    const checked = await takeBackLateRefund(lateDeps(world), withoutIds);

    // Assess
    expect(checked).toEqual({ found: "none" });
    expect(world.pos.balanceOf(member.posId)).toBe(1250);
    expect(world.pos.attempts).toHaveLength(2);
  });

  it("moves nothing when the first refund never landed", async () => {
    const world = fakeWorld({ balance: 750 });
    const state = await cancelledAfterSecondRefund(world);
    world.clock.advance(300_000);

    const checked = await takeBackLateRefund(lateDeps(world), state);

    expect(checked).toEqual({ found: "none" });
    expect(world.pos.balanceOf(member.posId)).toBe(1250);
    expect(world.pos.attempts).toHaveLength(2);
    expect(world.tables.eventTypes(couponSubject).at(-1)).toBe("refund.rechecked:succeeded");
  });

  it("alerts instead when the customer has spent the points refunded twice", async () => {
    // Prepare: the late refund lands, and the customer spends 1,500 points at the till.
    const world = fakeWorld({ balance: 750 });
    const state = await cancelledAfterSecondRefund(world);
    landLate(world);
    world.pos.record(member.posId, { division: "1", at: world.clock.now().toISOString(), points: -1500 });
    world.clock.advance(300_000);

    // Act
    const checked = await takeBackLateRefund(lateDeps(world), state);

    // Assess
    expect(checked).toMatchObject({ found: "this_cancellation", takenBack: "declined" });
    expect(world.pos.balanceOf(member.posId)).toBe(250);
    expect(world.alerts.kinds()).toEqual(["needs_review"]);
    expect(world.tables.eventTypes(couponSubject).at(-1)).toBe("points.taken_back:failed");
  });

  it("alerts and moves nothing when a staff grant of the same size whose answer was lost could be it", async () => {
    // Prepare
    const world = fakeWorld({ balance: 750 });
    const state = await cancelledAfterSecondRefund(world);
    await staffAdjustment(world, 500, { status: "pending" });
    landLate(world);
    world.clock.advance(300_000);

    // Act
    const checked = await takeBackLateRefund(lateDeps(world), state);

    // Assess
    expect(checked).toEqual({ found: "ambiguous" });
    expect(world.pos.balanceOf(member.posId)).toBe(1750);
    // Claimed, then given up again once the rival showed: the coupon owns its answered refund only.
    expect(world.tables.coupon(code)?.refundTransactionHeadIds).toEqual(state.refund?.transactionHeadIds);
    expect(world.alerts.kinds()).toEqual(["needs_review"]);
    expect(String(world.alerts.raised[0]?.details.reason)).toContain("adjustment ADJ1");
  });
});
