import { describe, expect, it } from "vitest";
import { takeBackLateRefund } from "../../shared/cancellation/late-refund";
import {
  type CancellationState,
  checkCoupon,
  completeCancellation,
  deactivateCode,
  notifyCustomer,
  recheckUsage,
  reconcileRefund,
  refundPoints,
  saveCancelledRecord,
} from "../../shared/cancellation/saga";
import { returnLateDeduction } from "../../shared/conversion/late-deduction";
import {
  checkBalance,
  createCoupon,
  deductPoints,
  discardCoupon,
  failConversion,
  reconcileDeduction,
  type SagaState,
} from "../../shared/conversion/saga";
import { Conflict } from "../../shared/errors";
import {
  caught,
  type FakeWorld,
  fakeWorld,
  member,
  reservedConversion,
  runningCancellation,
  settleMs,
} from "../support/fake-world";

/**
 * ReturnLateDeduction and TakeBackLateRefund when their Lambda dies midway and Step Functions runs
 * the step again with the same input: after the claim, after the point adjustment is written, and
 * after the POS applied it but before the adjustment says so. The customer's points move at most
 * once, the trail tells each turn once (also the claim a dead run did not get to tell), both
 * records of a cancellation own the late refund, and the rivals are asked about the instant the
 * POS stamped the change, not the repeat's.
 */

const conversionSubject = { type: "conversion" as const, id: "CONV1" };
const code = "70934-AB12CD-500";
const couponSubject = { type: "coupon" as const, id: code };
const customerSubject = { type: "customer" as const, id: member.number };

type AsyncCall = (...args: never[]) => Promise<unknown>;

/**
 * The invocation dies right after the next matching call of `method` did its work: that call never
 * returns, so nothing after it runs (no catch, no clean-up), as when the Lambda times out or
 * crashes. Later calls behave as before. Resolves when it died.
 */
function dieAfter<T extends { [P in K]: AsyncCall }, K extends keyof T>(
  target: T,
  method: K,
  matches: (...args: Parameters<T[K]>) => boolean = () => true,
): Promise<void> {
  const original = target[method];
  return new Promise((died) => {
    const dying = async (...args: Parameters<T[K]>) => {
      const answer = await original.apply(target, args);
      if (!matches(...args)) return answer;
      target[method] = original;
      died();
      return new Promise<never>(() => {});
    };
    target[method] = dying as unknown as T[K];
  });
}

/** The step's first invocation: it must die where the test said, neither answering nor failing first. */
async function diesMidway(step: Promise<unknown>, death: Promise<void>): Promise<void> {
  const first = await Promise.race([
    death.then(() => "died"),
    step.then(
      () => "answered",
      (error: unknown) => `failed: ${String(error)}`,
    ),
  ]);
  expect(first).toBe("died");
}

/** The steps' Retry (States.ALL, 30 s doubling to 300 s at most, 6 attempts) on the test clock. */
const retryWaitsMs = [30_000, 60_000, 120_000, 240_000, 300_000, 300_000];

/** Step Functions runs the step again after each failure, the same input each time; the errors met on the way. */
async function retried<R>(
  world: FakeWorld,
  step: () => Promise<R>,
): Promise<{ answer: R; errors: string[] }> {
  const errors: string[] = [];
  for (const waitMs of retryWaitsMs) {
    world.clock.advance(waitMs);
    try {
      return { answer: await step(), errors };
    } catch (error) {
      errors.push(error instanceof Conflict ? error.code : String(error));
    }
  }
  throw new Error(`the step failed through every retry: ${errors.join(", ")}`);
}

describe("ReturnLateDeduction run again after its invocation died", () => {
  /** A deduction whose answer was lost, found not applied once it settled, and compensated. */
  async function compensatedAfterLostAnswer(world: FakeWorld): Promise<SagaState> {
    const order = await reservedConversion(world);
    const [balance, coupon] = await Promise.all([
      checkBalance(world.deps.saga, order),
      createCoupon(world.deps.saga, order),
    ]);
    const state: SagaState = { ...order, prepared: { balance, coupon } };
    world.pos.nextChange("timeout_not_applied");
    const error = await caught(() => deductPoints(world.deps.saga, state));
    world.clock.advance(settleMs);
    const reconciliation = await reconcileDeduction(world.deps.saga, { ...state, error });
    const lost = { ...state, error, reconciliation };
    const discard = await discardCoupon(world.deps.saga, lost);
    await failConversion(world.deps.saga, { ...lost, discard });
    return { ...lost, discard };
  }

  /** The POS applies the lost deduction after all (a queue on its side). */
  const landLate = (world: FakeWorld) =>
    world.pos.record(member.posId, { division: "7", at: world.clock.now().toISOString(), points: -500 });

  const lateDeps = (world: FakeWorld) => ({ ...world.deps.adjustment, conversions: world.conversions });
  const returnsSent = (world: FakeWorld) => world.pos.attempts.filter((attempt) => attempt.delta === 500);
  const stored = (world: FakeWorld) => world.conversions.getConversion("CONV1");
  /** The claim: the conversion takes the late subtraction for its own. */
  const claimWritten = (_id: string, _expected: unknown, patch: { transactionHeadIds?: string[] }) =>
    (patch.transactionHeadIds?.length ?? 0) > 0;

  it("gives the points back once when it died right after claiming the late subtraction", async () => {
    // Prepare: 1,250 points; the compensated conversion's 500 landed late; WaitBeforeRecheckingDeduction.
    const world = fakeWorld({ balance: 1250 });
    const state = await compensatedAfterLostAnswer(world);
    const late = landLate(world);
    world.clock.advance(300_000);
    const trail = world.tables.eventTypes(conversionSubject).length;
    const death = dieAfter(world.conversions, "updateConversion", claimWritten);

    // Act: the invocation dies after the claim; Step Functions runs the step again.
    await diesMidway(returnLateDeduction(lateDeps(world), state), death);
    const { answer, errors } = await retried(world, () => returnLateDeduction(lateDeps(world), state));

    // Assess: the 500 points came back once, by one change at the POS.
    expect(world.pos.balanceOf(member.posId)).toBe(1250);
    expect(returnsSent(world)).toHaveLength(1);
    expect(answer).toEqual({
      found: "this_conversion",
      transactionHeadId: late.transactionHeadId,
      returned: "applied",
    });
    expect(errors).toEqual([]);
    expect(await stored(world)).toMatchObject({
      status: "compensated",
      transactionHeadIds: [late.transactionHeadId],
      failure: { code: "pos_unavailable", detail: expect.stringContaining("took the points after") },
    });
    expect(await world.adjustments.listByCustomer(member.number, 10)).toMatchObject([
      { idempotencyKey: "late-deduction-CONV1", points: 500, status: "applied", attempts: 1 },
    ]);
    const added = world.tables.eventTypes(conversionSubject).slice(trail);
    expect(added.filter((type) => type.startsWith("points.returned"))).toEqual(["points.returned:succeeded"]);
    expect(added.filter((type) => type.startsWith("points.deducted_late")).length).toBeLessThanOrEqual(1);
    expect(world.tables.eventTypes(customerSubject)).toEqual([
      "points.adjustment_requested:succeeded",
      "points.adjusted:succeeded",
    ]);
    expect(world.alerts.raised).toEqual([]);
  });

  // The repeat finds the claim; it tells the trail of it again (once: the entry has its own id).
  it("still names the late subtraction on the conversion's trail when it died right after claiming it", async () => {
    // Prepare
    const world = fakeWorld({ balance: 1250 });
    const state = await compensatedAfterLostAnswer(world);
    const late = landLate(world);
    world.clock.advance(300_000);
    const death = dieAfter(world.conversions, "updateConversion", claimWritten);

    // Act
    await diesMidway(returnLateDeduction(lateDeps(world), state), death);
    await retried(world, () => returnLateDeduction(lateDeps(world), state));

    // Assess: the trail tells which POS transaction took the points late, once.
    const entries = world.tables.eventsOf(conversionSubject).filter((e) => e.type === "points.deducted_late");
    expect(entries).toMatchObject([
      { outcome: "succeeded", externalIds: { smaregiTransactionHeadIds: [late.transactionHeadId] } },
    ]);
  });

  it("sends no return blindly when it died after writing the return, before calling the POS: the admins decide", async () => {
    // Prepare
    const world = fakeWorld({ balance: 1250 });
    const state = await compensatedAfterLostAnswer(world);
    const late = landLate(world);
    world.clock.advance(300_000);
    const trail = world.tables.eventTypes(conversionSubject).length;
    const death = dieAfter(world.adjustments, "create");

    // Act: the invocation dies with the return written (pending); Step Functions retries, backing off.
    await diesMidway(returnLateDeduction(lateDeps(world), state), death);
    const { answer, errors } = await retried(world, () => returnLateDeduction(lateDeps(world), state));

    // Assess: the first retry finds the return still in progress; the next reconciles it. The POS
    // does not list it, and a request whose invocation died may still land: it is not sent again,
    // the points are not given back twice, and a person is asked once.
    expect(world.pos.balanceOf(member.posId)).toBe(750);
    expect(returnsSent(world)).toEqual([]);
    expect(answer).toEqual({
      found: "this_conversion",
      transactionHeadId: late.transactionHeadId,
      returned: "needs_review",
    });
    expect(errors).toEqual(["adjustment_in_progress"]);
    expect((await stored(world))?.transactionHeadIds).toEqual([late.transactionHeadId]);
    expect(await world.adjustments.listByCustomer(member.number, 10)).toMatchObject([
      { idempotencyKey: "late-deduction-CONV1", status: "not_applied", answerLost: true },
    ]);
    expect(world.tables.eventTypes(conversionSubject).slice(trail)).toEqual([
      "points.deducted_late:succeeded",
      "points.returned:unknown",
    ]);
    expect(world.tables.eventTypes(customerSubject)).toEqual(["points.adjustment_reconciled:succeeded"]);
    expect(world.alerts.raised).toMatchObject([
      {
        kind: "needs_review",
        details: { conversionId: "CONV1", idempotencyKey: "late-deduction-CONV1", points: 500 },
      },
    ]);
  });

  it("gives the points back once when it died after the POS applied the return, before it was recorded", async () => {
    // Prepare
    const world = fakeWorld({ balance: 1250 });
    const state = await compensatedAfterLostAnswer(world);
    const late = landLate(world);
    world.clock.advance(300_000);
    const trail = world.tables.eventTypes(conversionSubject).length;
    const death = dieAfter(world.pos, "addPoints");

    // Act: the POS gave the points back, and the answer died with the invocation.
    await diesMidway(returnLateDeduction(lateDeps(world), state), death);
    const { answer, errors } = await retried(world, () => returnLateDeduction(lateDeps(world), state));

    // Assess: the repeat reads the POS instead of sending again, and finds the return there.
    expect(world.pos.balanceOf(member.posId)).toBe(1250);
    expect(returnsSent(world)).toHaveLength(1);
    expect(answer).toEqual({
      found: "this_conversion",
      transactionHeadId: late.transactionHeadId,
      returned: "applied",
    });
    expect(errors).toEqual(["adjustment_in_progress"]);
    const [sent] = world.pos.applied.filter((change) => change.delta === 500);
    expect(await world.adjustments.listByCustomer(member.number, 10)).toMatchObject([
      { status: "applied", attempts: 1, transactionHeadIds: [sent?.transactionHeadId] },
    ]);
    expect((await stored(world))?.transactionHeadIds).toEqual([late.transactionHeadId]);
    expect(world.tables.eventTypes(conversionSubject).slice(trail)).toEqual([
      "points.deducted_late:succeeded",
      "points.returned:succeeded",
    ]);
    expect(world.tables.eventTypes(customerSubject)).toEqual([
      "points.adjustment_requested:succeeded",
      "points.adjustment_reconciled:succeeded",
    ]);
    expect(world.alerts.raised).toEqual([]);
  });

  /**
   * The customer's other compensated conversion of 500 points, sent 20 s after this one's; its own
   * recheck ran a minute after the subtraction landed, found this conversion a rival, and alerted.
   */
  async function rivalRecheckedAfterLanding(world: FakeWorld): Promise<SagaState> {
    const state = await compensatedAfterLostAnswer(world);
    const mine = await stored(world);
    if (!mine) throw new Error("no conversion");
    world.clock.advance(20_000);
    const rivalStartedAt = world.clock.now().toISOString();
    world.clock.advance(10_000);
    landLate(world);
    world.clock.advance(60_000);
    world.tables.conversions.set("CONV0", {
      ...mine,
      conversionId: "CONV0",
      deductionStartedAt: rivalStartedAt,
      deductionRecheckedAt: world.clock.now().toISOString(),
      transactionHeadIds: [],
    });
    world.clock.advance(240_000);
    return state;
  }

  it("leaves a subtraction to the admins when a rival's own recheck saw it land (no death)", async () => {
    // Prepare
    const world = fakeWorld({ balance: 2000 });
    const state = await rivalRecheckedAfterLanding(world);

    // Act
    const answer = await returnLateDeduction(lateDeps(world), state);

    // Assess
    expect(answer).toEqual({ found: "ambiguous" });
    expect(returnsSent(world)).toEqual([]);
    expect(String(world.alerts.raised[0]?.details.reason)).toContain("conversion CONV0");
  });

  // The repeat reads the claimed subtraction's stamp from the POS again: asked as if it was stamped
  // now, a rival whose own recheck saw it land would no longer count.
  it("still leaves the subtraction to the admins when it died after the claim and a rival's recheck had seen it land", async () => {
    // Prepare
    const world = fakeWorld({ balance: 2000 });
    const state = await rivalRecheckedAfterLanding(world);
    const death = dieAfter(world.conversions, "updateConversion", claimWritten);

    // Act
    await diesMidway(returnLateDeduction(lateDeps(world), state), death);
    const { answer } = await retried(world, () => returnLateDeduction(lateDeps(world), state));

    // Assess: as without the death, the subtraction may be either conversion's: nothing moves.
    expect(answer).toEqual({ found: "ambiguous" });
    expect(returnsSent(world)).toEqual([]);
  });

  it("gives a claim the POS no longer lists up to the admins, sending nothing", async () => {
    // Prepare: an earlier run claimed a subtraction that the POS does not list any more.
    const world = fakeWorld({ balance: 1250 });
    const state = await compensatedAfterLostAnswer(world);
    await world.conversions.updateConversion("CONV1", ["compensated"], { transactionHeadIds: ["GONE-1"] });
    world.clock.advance(300_000);

    // Act
    const answer = await returnLateDeduction(lateDeps(world), state);

    // Assess: nothing moved, the claim given up, the admins told why.
    expect(answer).toEqual({ found: "ambiguous" });
    expect(returnsSent(world)).toEqual([]);
    expect((await stored(world))?.transactionHeadIds).toEqual([]);
    expect(world.alerts.raised).toMatchObject([
      { details: { transactionHeadIds: ["GONE-1"], reason: expect.stringContaining("no longer lists") } },
    ]);
  });
});

describe("TakeBackLateRefund run again after its invocation died", () => {
  /** The first refund's answer was lost, nothing was found, the second was sent and answered. */
  async function cancelledAfterSecondRefund(world: FakeWorld): Promise<CancellationState> {
    const order = await runningCancellation(world);
    const check = await checkCoupon(world.deps.cancellation, order);
    const deactivation = await deactivateCode(world.deps.cancellation, order);
    const usage = await recheckUsage(world.deps.cancellation, order);
    const state: CancellationState = { ...order, check, deactivation, usage };
    world.pos.nextChange("timeout_not_applied");
    const error = await caught(() => refundPoints(world.deps.cancellation, state));
    world.clock.advance(settleMs);
    const reconciliation = await reconcileRefund(world.deps.cancellation, { ...state, error });
    const again = { ...state, error, reconciliation, refundAttempt: 2 };
    const refund = await refundPoints(world.deps.cancellation, again);
    const done = { ...again, refund };
    await completeCancellation(world.deps.cancellation, done);
    await saveCancelledRecord(world.deps.cancellation, done);
    await notifyCustomer(world.deps.cancellation, done);
    return done;
  }

  /** The POS applies the first refund after all (a queue on its side). */
  const landLate = (world: FakeWorld) =>
    world.pos.record(member.posId, { division: "6", at: world.clock.now().toISOString(), points: 500 });

  const lateDeps = (world: FakeWorld) => ({
    ...world.deps.adjustment,
    coupons: world.coupons,
    cancellations: world.cancellations,
  });
  const takeBacksSent = (world: FakeWorld) => world.pos.attempts.filter((attempt) => attempt.delta === -500);
  const key = (state: CancellationState) => `late-refund-${state.cancellationId}`;
  /** The claim: the refunds the coupon (or the cancellation) owns now include the late one. */
  const claiming =
    (late: { transactionHeadId: string }) =>
    (_code: string, _expected: unknown, patch: { refundTransactionHeadIds?: string[] }) =>
      patch.refundTransactionHeadIds?.includes(late.transactionHeadId) ?? false;

  it("takes the extra points back once when it died right after claiming the late refund", async () => {
    // Prepare: 750 points, refunded 500 twice; WaitBeforeRecheckingRefund.
    const world = fakeWorld({ balance: 750 });
    const state = await cancelledAfterSecondRefund(world);
    const late = landLate(world);
    world.clock.advance(300_000);
    const trail = world.tables.eventTypes(couponSubject).length;
    const death = dieAfter(world.cancellations, "updateCancellation", claiming(late));

    // Act: the invocation dies once the coupon and the cancellation claim it; Step Functions repeats.
    await diesMidway(takeBackLateRefund(lateDeps(world), state), death);
    const { answer, errors } = await retried(world, () => takeBackLateRefund(lateDeps(world), state));

    // Assess: refunded once in the end, by one take-back.
    expect(world.pos.balanceOf(member.posId)).toBe(1250);
    expect(takeBacksSent(world)).toHaveLength(1);
    expect(answer).toEqual({
      found: "this_cancellation",
      transactionHeadId: late.transactionHeadId,
      takenBack: "applied",
    });
    expect(errors).toEqual([]);
    const owned = [...(state.refund?.transactionHeadIds ?? []), late.transactionHeadId];
    expect(world.tables.coupon(code)).toMatchObject({ status: "cancelled", refundTransactionHeadIds: owned });
    expect(await world.cancellations.getCancellation(state.cancellationId)).toMatchObject({
      status: "cancelled",
      refundTransactionHeadIds: owned,
    });
    expect(await world.adjustments.listByCustomer(member.number, 10)).toMatchObject([
      { idempotencyKey: key(state), points: -500, status: "applied", attempts: 1 },
    ]);
    const added = world.tables.eventTypes(couponSubject).slice(trail);
    expect(added.filter((type) => type.startsWith("points.taken_back"))).toEqual([
      "points.taken_back:succeeded",
    ]);
    expect(added.filter((type) => type.startsWith("points.refunded_late")).length).toBeLessThanOrEqual(1);
    expect(world.tables.eventTypes(customerSubject)).toEqual([
      "points.adjustment_requested:succeeded",
      "points.adjusted:succeeded",
    ]);
    expect(world.alerts.raised).toEqual([]);
  });

  // As for a late deduction, the repeat tells the trail of the claim it finds on the coupon.
  it("still names the late refund on the coupon's trail when it died right after claiming it", async () => {
    // Prepare
    const world = fakeWorld({ balance: 750 });
    const state = await cancelledAfterSecondRefund(world);
    const late = landLate(world);
    world.clock.advance(300_000);
    const death = dieAfter(world.cancellations, "updateCancellation", claiming(late));

    // Act
    await diesMidway(takeBackLateRefund(lateDeps(world), state), death);
    await retried(world, () => takeBackLateRefund(lateDeps(world), state));

    // Assess
    const entries = world.tables.eventsOf(couponSubject).filter((e) => e.type === "points.refunded_late");
    expect(entries).toMatchObject([
      { outcome: "succeeded", externalIds: { smaregiTransactionHeadIds: [late.transactionHeadId] } },
    ]);
  });

  // The claim writes the coupon, then the cancellation; the repeat writes both again.
  it("still records the late refund on the cancellation when it died between the coupon's claim and the cancellation's", async () => {
    // Prepare
    const world = fakeWorld({ balance: 750 });
    const state = await cancelledAfterSecondRefund(world);
    const late = landLate(world);
    world.clock.advance(300_000);
    const death = dieAfter(world.coupons, "updateCouponStatus", claiming(late));

    // Act
    await diesMidway(takeBackLateRefund(lateDeps(world), state), death);
    await retried(world, () => takeBackLateRefund(lateDeps(world), state));

    // Assess: the cancellation owns the same refunds as its coupon.
    expect(
      (await world.cancellations.getCancellation(state.cancellationId))?.refundTransactionHeadIds,
    ).toEqual(world.tables.coupon(code)?.refundTransactionHeadIds);
  });

  it("sends no take-back blindly when it died after writing the take-back, before calling the POS: the admins decide", async () => {
    // Prepare
    const world = fakeWorld({ balance: 750 });
    const state = await cancelledAfterSecondRefund(world);
    const late = landLate(world);
    world.clock.advance(300_000);
    const trail = world.tables.eventTypes(couponSubject).length;
    const death = dieAfter(world.adjustments, "create");

    // Act: the invocation dies with the take-back written (pending); Step Functions retries.
    await diesMidway(takeBackLateRefund(lateDeps(world), state), death);
    const { answer, errors } = await retried(world, () => takeBackLateRefund(lateDeps(world), state));

    // Assess: not sent again while it may land; the customer keeps the 500 until a person decides.
    expect(world.pos.balanceOf(member.posId)).toBe(1750);
    expect(takeBacksSent(world)).toEqual([]);
    expect(answer).toEqual({
      found: "this_cancellation",
      transactionHeadId: late.transactionHeadId,
      takenBack: "needs_review",
    });
    expect(errors).toEqual(["adjustment_in_progress"]);
    expect(world.tables.coupon(code)?.refundTransactionHeadIds).toContain(late.transactionHeadId);
    expect(await world.adjustments.listByCustomer(member.number, 10)).toMatchObject([
      { idempotencyKey: key(state), status: "not_applied", answerLost: true },
    ]);
    expect(world.tables.eventTypes(couponSubject).slice(trail)).toEqual([
      "points.refunded_late:succeeded",
      "points.taken_back:unknown",
    ]);
    expect(world.tables.eventTypes(customerSubject)).toEqual(["points.adjustment_reconciled:succeeded"]);
    expect(world.alerts.raised).toMatchObject([
      { kind: "needs_review", details: { code, idempotencyKey: key(state), points: 500 } },
    ]);
  });

  it("takes the extra points back once when it died after the POS applied the take-back, before it was recorded", async () => {
    // Prepare
    const world = fakeWorld({ balance: 750 });
    const state = await cancelledAfterSecondRefund(world);
    const late = landLate(world);
    world.clock.advance(300_000);
    const trail = world.tables.eventTypes(couponSubject).length;
    const death = dieAfter(world.pos, "addPoints");

    // Act: the POS took the points back, and the answer died with the invocation.
    await diesMidway(takeBackLateRefund(lateDeps(world), state), death);
    const { answer, errors } = await retried(world, () => takeBackLateRefund(lateDeps(world), state));

    // Assess: the repeat reads the POS instead of sending again, and finds the take-back there.
    expect(world.pos.balanceOf(member.posId)).toBe(1250);
    expect(takeBacksSent(world)).toHaveLength(1);
    expect(answer).toEqual({
      found: "this_cancellation",
      transactionHeadId: late.transactionHeadId,
      takenBack: "applied",
    });
    expect(errors).toEqual(["adjustment_in_progress"]);
    const [sent] = world.pos.applied.filter((change) => change.delta === -500);
    expect(await world.adjustments.listByCustomer(member.number, 10)).toMatchObject([
      { status: "applied", attempts: 1, transactionHeadIds: [sent?.transactionHeadId] },
    ]);
    expect(world.tables.coupon(code)?.refundTransactionHeadIds).toContain(late.transactionHeadId);
    expect(world.tables.eventTypes(couponSubject).slice(trail)).toEqual([
      "points.refunded_late:succeeded",
      "points.taken_back:succeeded",
    ]);
    expect(world.tables.eventTypes(customerSubject)).toEqual([
      "points.adjustment_requested:succeeded",
      "points.adjustment_reconciled:succeeded",
    ]);
    expect(world.alerts.raised).toEqual([]);
  });
});
