import { describe, expect, it } from "vitest";
import { COUPON_RECORD_KEY, COUPON_RECORD_NAMESPACE } from "../../shared/adapters/shopify/coupon-records";
import { returnLateDeduction } from "../../shared/conversion/late-deduction";
import {
  checkBalance,
  confirmConversion,
  createCoupon,
  deductPoints,
  discardCoupon,
  failConversion,
  failureOf,
  parkForReview,
  reconcileDeduction,
  reportRecordNotSaved,
  type SagaState,
  saveCouponRecord,
  sweepLateCoupon,
} from "../../shared/conversion/saga";
import { InsufficientPoints, NotRegistered, PosDeclined, PosOutcomeUnknown } from "../../shared/errors";
import { shopifyDown } from "../support/fake-shopify";
import {
  caught,
  customerGid,
  type FakeWorld,
  fakeWorld,
  member,
  reservedConversion,
  settleMs,
  staffAdjustment,
} from "../support/fake-world";

/**
 * The conversion saga's steps (state-machines/convert-points.asl.json) against an in-memory shop:
 * what the customer and the staff would notice. Points leave the POS at most once, a coupon whose
 * points were not taken is deleted, and an unknown deduction is read from the POS, never guessed.
 */

const conversion = { type: "conversion" as const, id: "CONV1" };

/** PrepareCoupon's two branches, as the Parallel state runs them. */
async function prepared(world: FakeWorld): Promise<SagaState> {
  const order = await reservedConversion(world);
  const [balance, coupon] = await Promise.all([
    checkBalance(world.deps.saga, order),
    createCoupon(world.deps.saga, order),
  ]);
  return { ...order, prepared: { balance, coupon } };
}

/** PrepareCoupon's branches when the balance does not cover the points, as BalanceCheckFailed leaves them. */
async function refusedBesideCoupon(world: FakeWorld): Promise<SagaState> {
  const order = await reservedConversion(world);
  const [error, coupon] = await Promise.all([
    caught(() => checkBalance(world.deps.saga, order)),
    createCoupon(world.deps.saga, order),
  ]);
  // The failed branch's error beside the coupon.
  const prepared = { balance: { failed: error }, coupon } as unknown as SagaState["prepared"];
  return { ...order, prepared, error };
}

/** DeductPoints caught by `States.ALL`, then LetDeductionSettle and ReconcileDeduction. */
async function deductionLost(world: FakeWorld, state: SagaState): Promise<SagaState> {
  const error = await caught(() => deductPoints(world.deps.saga, state));
  world.clock.advance(settleMs);
  return { ...state, error, reconciliation: await reconcileDeduction(world.deps.saga, { ...state, error }) };
}

const stored = async (world: FakeWorld) => world.conversions.getConversion("CONV1");

/** The coupon's record as the completion writes it. */
const couponOf = (state: SagaState) => ({
  code: state.code,
  conversionId: state.conversionId,
  customerId: state.customerId,
  customerGid: state.customerGid,
  discountId: state.prepared?.coupon.discountId ?? "",
  amount: state.amount,
  currency: state.currency,
  pointsUsed: state.points,
  type: "fixed_discount" as const,
  status: "active" as const,
  startsAt: state.startsAt,
  expiresAt: state.expiresAt,
});

describe("CheckBalance", () => {
  it("records the member's POS id and balance when the points are there", async () => {
    // Prepare
    const world = fakeWorld({ balance: 1250 });
    const order = await reservedConversion(world);

    // Act
    const checked = await checkBalance(world.deps.saga, order);

    // Assess
    expect(checked).toEqual({ posCustomerId: member.posId, balance: 1250, expiresOn: null });
    expect(await stored(world)).toMatchObject({ posCustomerId: member.posId, balanceBefore: 1250 });
    expect(world.tables.eventTypes(conversion)).toEqual(["balance.checked:succeeded"]);
  });

  it("refuses a conversion the balance does not cover, and records why", async () => {
    const world = fakeWorld({ balance: 499 });
    const order = await reservedConversion(world);

    const error = await checkBalance(world.deps.saga, order).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(InsufficientPoints);
    expect((error as Error).message).toBe("You have 499 points; 500 are needed for this coupon");
    expect(world.tables.eventsOf(conversion)[0]).toMatchObject({
      type: "balance.checked",
      outcome: "failed",
      detail: "balance 499 < requested 500",
    });
  });

  it("fails with NotRegistered for a customer who is no member at the store", async () => {
    const world = fakeWorld();
    const order = await reservedConversion(world, { memberNumber: "0000000000000" });

    await expect(checkBalance(world.deps.saga, order)).rejects.toBeInstanceOf(NotRegistered);
  });
});

describe("CreateCoupon", () => {
  it("creates a code only this customer can use, once, until the coupon expires", async () => {
    const world = fakeWorld();
    const order = await reservedConversion(world);

    const created = await createCoupon(world.deps.saga, order);

    const discount = world.shopify.discount(order.code);
    expect(created).toEqual({
      discountId: discount?.discountId,
      adopted: false,
      createdAt: world.clock.now().toISOString(),
    });
    expect(discount).toMatchObject({
      status: "ACTIVE",
      usageLimit: 1,
      customerGids: [customerGid],
      endsAt: order.expiresAt,
      title: "Loyalty reward 500 points #CONV1",
    });
  });

  it("adopts the code an earlier attempt created instead of making a second one", async () => {
    const world = fakeWorld();
    const order = await reservedConversion(world);
    const first = await createCoupon(world.deps.saga, order);

    const retried = await createCoupon(world.deps.saga, order);
    await discardCoupon(world.deps.saga, { ...order, prepared: { coupon: retried } } as SagaState);

    expect(retried).toMatchObject({ discountId: first.discountId, adopted: true });
    expect(world.tables.eventsOf(conversion)[0]).toMatchObject({
      type: "coupon.created",
      detail: "adopted the code created by an earlier attempt",
    });
  });

  it("returns as soon as the code exists: the next step writes the trail's entry, in its place, once", async () => {
    // Prepare
    const world = fakeWorld({ balance: 1250 });
    const order = await reservedConversion(world);
    const [balance, coupon] = await Promise.all([
      checkBalance(world.deps.saga, order),
      createCoupon(world.deps.saga, order),
    ]);
    const state: SagaState = { ...order, prepared: { balance, coupon } };
    const untouched = world.tables.eventTypes(conversion);
    world.clock.advance(1000);

    // Act: DeductPoints, which completes the conversion...
    await deductPoints(world.deps.saga, state);
    const trail = world.tables.eventTypes(conversion);
    // ...and ConfirmConversion, as after a reconciliation, which writes the entry if missing
    await confirmConversion(world.deps.saga, state);

    // Assess
    expect(untouched).toEqual(["balance.checked:succeeded"]);
    expect(trail).toEqual([
      "balance.checked:succeeded",
      "coupon.created:succeeded",
      "points.deducted:succeeded",
      "conversion.completed:succeeded",
    ]);
    expect(world.tables.eventTypes(conversion)).toEqual(trail);
    // Written in the same instant (the test's clock stands still): listed by time, still in order.
    const at = (type: string) =>
      world.tables.eventsOf(conversion).find((event) => event.type === type)?.at ?? "";
    expect(at("conversion.completed") > at("points.deducted")).toBe(true);
    const created = world.tables.eventsOf(conversion).filter((event) => event.type === "coupon.created");
    expect(created).toEqual([
      expect.objectContaining({
        outcome: "succeeded",
        at: coupon.createdAt,
        externalIds: { shopifyDiscountId: coupon.discountId },
      }),
    ]);
  });

  it("fails the step when the creation's entry cannot be written at all, and reconciliation writes it", async () => {
    // Prepare: the trail refuses the creation's entry while the POS works and once more after.
    const world = fakeWorld({ balance: 1250 });
    const state = await prepared(world);
    let refusals = 2;
    const audit = {
      appendAuditEvent: (event: Parameters<typeof world.audit.appendAuditEvent>[0]) =>
        event.type === "coupon.created" && refusals-- > 0
          ? Promise.reject(new Error("the trail did not answer"))
          : world.audit.appendAuditEvent(event),
    };

    // Act: DeductPoints completes the conversion, then fails; ConfirmConversion after reconciliation
    const error = await caught(() => deductPoints({ ...world.deps.saga, audit }, state));
    const completedFirst = await stored(world);
    await confirmConversion(world.deps.saga, { ...state, error });

    // Assess: completed once, taken once, and the trail whole in the end
    expect(error.Error).toBe("Error");
    expect(completedFirst).toMatchObject({ status: "completed" });
    expect(world.pos.attempts).toHaveLength(1);
    expect(world.tables.eventTypes(conversion)).toEqual([
      "balance.checked:succeeded",
      "points.deducted:succeeded",
      "conversion.completed:succeeded",
      "coupon.created:succeeded",
    ]);
  });

  it("is on the trail of a conversion the balance refused, before the coupon's deletion", async () => {
    const world = fakeWorld({ balance: 100 });
    const state = await refusedBesideCoupon(world);

    const discard = await discardCoupon(world.deps.saga, state);
    await failConversion(world.deps.saga, { ...state, discard });

    expect(world.tables.eventTypes(conversion)).toEqual([
      "balance.checked:failed",
      "coupon.created:succeeded",
      "coupon.discarded:succeeded",
      "conversion.failed:failed",
    ]);
  });
});

describe("DeductPoints", () => {
  it("takes the points once and keeps the POS transaction for later reconciliations", async () => {
    const world = fakeWorld({ balance: 1250 });
    const state = await prepared(world);

    const deducted = await deductPoints(world.deps.saga, state);

    expect(world.pos.netChange(member.posId)).toBe(-500);
    expect(world.pos.balanceOf(member.posId)).toBe(750);
    const [transaction] = world.pos.applied;
    expect(deducted).toEqual({ balanceAfter: 750, transactionHeadIds: [transaction?.transactionHeadId] });
    expect(await stored(world)).toMatchObject({ transactionHeadIds: [transaction?.transactionHeadId] });
  });

  it("completes the conversion once the points are taken: the code is live and the customer free", async () => {
    const world = fakeWorld({ balance: 1250 });
    const state = await prepared(world);

    await deductPoints(world.deps.saga, state);

    expect(await stored(world)).toMatchObject({
      status: "completed",
      balanceBefore: 1250,
      balanceAfter: 750,
    });
    expect(world.tables.coupon(state.code)).toMatchObject({ status: "active", pointsUsed: 500 });
    expect(world.tables.leases.has(member.number)).toBe(false);
    expect(world.tables.dailyPoints.get(`${member.number}#${state.shopDate}`)).toBe(500);
    expect(world.tables.eventTypes(conversion)).toEqual([
      "balance.checked:succeeded",
      "coupon.created:succeeded",
      "points.deducted:succeeded",
      "conversion.completed:succeeded",
    ]);
  });

  it.each([
    {
      path: "a first completion",
      earlierAttempt: false,
      writes: ["completeConversion"],
      trailWithStatus: true,
    },
    {
      path: "a repeat after an earlier attempt stored the coupon",
      earlierAttempt: true,
      writes: ["completeConversion", "updateConversion", "releaseReservation", "updateConversion"],
      trailWithStatus: false,
    },
  ])(
    "never lets the customer read completed while the lease is held, nor frees it before the POS transaction is stored ($path)",
    async ({ earlierAttempt, writes, trailWithStatus }) => {
      // Prepare: after every write, note what a later conversion's reconciliation, and a customer
      // who reads the answer, would meet.
      const world = fakeWorld({ balance: 1250 });
      const state = await prepared(world);
      if (earlierAttempt) await world.coupons.putCoupon(couponOf(state));
      const conversions = world.conversions;
      const seen: Array<{
        write: string;
        status?: string;
        lease: "held" | "free";
        posTransactions: number;
        trail: string[];
      }> = [];
      const watch = <Name extends "completeConversion" | "updateConversion" | "releaseReservation">(
        name: Name,
      ) => ({
        value: async (...args: unknown[]) => {
          const result = await (conversions[name] as (...a: unknown[]) => Promise<unknown>)(...args);
          const now = await conversions.getConversion(state.conversionId);
          seen.push({
            write: name,
            status: now?.status,
            lease: world.tables.leases.has(member.number) ? "held" : "free",
            posTransactions: now?.transactionHeadIds?.length ?? 0,
            trail: world.tables.eventTypes(conversion),
          });
          return result;
        },
      });
      const watched: typeof conversions = Object.create(conversions, {
        completeConversion: watch("completeConversion"),
        updateConversion: watch("updateConversion"),
        releaseReservation: watch("releaseReservation"),
      });

      // Act
      await deductPoints({ ...world.deps.saga, conversions: watched, completion: watched }, state);

      // Assess: the promises hold after every write, and the customer's answer waited for `writes`
      for (const moment of seen) {
        if (moment.status === "completed") expect(moment.lease).toBe("free");
        if (moment.lease === "free") expect(moment.posTransactions).toBe(1);
      }
      expect(seen.map((moment) => moment.write)).toEqual(writes);
      expect(seen.at(-1)).toMatchObject({ status: "completed", lease: "free", posTransactions: 1 });
      expect(world.tables.coupon(state.code)).toMatchObject({ status: "active", pointsUsed: 500 });
      // A first completion records its trail in the same write: nobody reads it completed without.
      const completion = ["points.deducted:succeeded", "conversion.completed:succeeded"];
      if (trailWithStatus) expect(seen[0]?.trail).toEqual(expect.arrayContaining(completion));
      expect(world.tables.eventTypes(conversion)).toEqual([
        "balance.checked:succeeded",
        "coupon.created:succeeded",
        ...completion,
      ]);
    },
  );

  it("goes to reconciliation when the completion cannot be written, which finds the points and completes it", async () => {
    // Prepare: the POS takes the points, then the table stops answering.
    const world = fakeWorld({ balance: 1250 });
    const state = await prepared(world);
    const notAnswering = { value: async () => Promise.reject(new Error("the table did not answer")) };
    const failing = Object.create(world.conversions, {
      completeConversion: notAnswering,
      updateConversion: notAnswering,
    });

    // Act: DeductPoints caught by States.ALL -> LetDeductionSettle -> ReconcileDeduction -> ConfirmConversion
    const error = await caught(() =>
      deductPoints({ ...world.deps.saga, conversions: failing, completion: failing }, state),
    );
    world.clock.advance(settleMs);
    const reconciliation = await reconcileDeduction(world.deps.saga, { ...state, error });
    await confirmConversion(world.deps.saga, { ...state, error, reconciliation });

    // Assess: taken once, said so once, and completed
    expect(error.Error).toBe("Error");
    expect(reconciliation.outcome).toBe("applied");
    expect(world.pos.attempts).toHaveLength(1);
    expect(world.pos.netChange(member.posId)).toBe(-500);
    expect(await stored(world)).toMatchObject({ status: "completed", balanceAfter: 750 });
    expect(world.tables.leases.has(member.number)).toBe(false);
    expect(world.tables.eventTypes(conversion)).toEqual([
      "balance.checked:succeeded",
      "coupon.created:succeeded",
      "points.deducted:succeeded",
      "deduction.reconciled:succeeded",
      "conversion.completed:succeeded",
    ]);
  });

  it("never sends a second deduction when the step runs again: it sends the saga to reconciliation", async () => {
    const world = fakeWorld();
    const state = await prepared(world);
    await deductPoints(world.deps.saga, state);

    const rerun = await deductPoints(world.deps.saga, state).catch((e: unknown) => e);

    expect(rerun).toBeInstanceOf(PosOutcomeUnknown);
    expect(world.pos.attempts).toHaveLength(1);
    expect(world.pos.netChange(member.posId)).toBe(-500);
  });

  it("records an unknown outcome when the POS does not answer", async () => {
    const world = fakeWorld();
    const state = await prepared(world);
    world.pos.nextChange("timeout_not_applied");

    await expect(deductPoints(world.deps.saga, state)).rejects.toBeInstanceOf(PosOutcomeUnknown);

    expect(world.tables.eventsOf(conversion).at(-1)).toMatchObject({
      type: "points.deducted",
      outcome: "unknown",
    });
  });
});

describe("a declined deduction", () => {
  it("deletes the coupon, fails the conversion and gives the day's allowance back", async () => {
    // Prepare
    const world = fakeWorld();
    const state = await prepared(world);
    world.pos.nextChange("declined");

    // Act: DeductPoints caught (PosDeclined) -> DiscardCoupon -> FailConversion
    const error = await caught(() => deductPoints(world.deps.saga, state));
    const discard = await discardCoupon(world.deps.saga, { ...state, error });
    const failed = await failConversion(world.deps.saga, { ...state, error, discard });

    // Assess
    expect(error.Error).toBe(PosDeclined.name);
    expect(world.pos.netChange(member.posId)).toBe(0);
    expect(world.shopify.discount(state.code)).toBeUndefined();
    expect(failed).toEqual({ status: "compensated" });
    expect(await stored(world)).toMatchObject({
      status: "compensated",
      failure: { code: "insufficient_points", detail: "The balance would go below zero" },
      dailyRefunded: true,
    });
    expect(world.tables.leases.has(member.number)).toBe(false);
    expect(world.tables.dailyPoints.get(`${member.number}#${state.shopDate}`)).toBe(0);
    expect(world.tables.coupon(state.code)).toBeUndefined();
  });
});

describe("ReconcileDeduction", () => {
  it("says applied when the POS lists the lost deduction, and the conversion completes with it", async () => {
    const world = fakeWorld({ balance: 1250 });
    const state = await prepared(world);
    world.pos.nextChange("timeout_applied");

    const reconciled = await deductionLost(world, state);
    await confirmConversion(world.deps.saga, reconciled);

    const [transaction] = world.pos.applied;
    expect(reconciled.reconciliation).toMatchObject({
      outcome: "applied",
      transactionHeadIds: [transaction?.transactionHeadId],
      balanceAfter: 750,
    });
    expect(world.pos.attempts).toHaveLength(1);
    expect(await stored(world)).toMatchObject({
      status: "completed",
      balanceAfter: 750,
      transactionHeadIds: [transaction?.transactionHeadId],
    });
    expect(world.tables.coupon(state.code)?.status).toBe("active");
  });

  it("says not applied once the deduction can no longer land, and the coupon is deleted", async () => {
    const world = fakeWorld();
    const state = await prepared(world);
    world.pos.nextChange("timeout_not_applied");

    const reconciled = await deductionLost(world, state);
    const discard = await discardCoupon(world.deps.saga, reconciled);
    await failConversion(world.deps.saga, { ...reconciled, discard });

    expect(reconciled.reconciliation?.outcome).toBe("not_applied");
    expect(world.pos.attempts).toHaveLength(1);
    expect(world.shopify.discount(state.code)).toBeUndefined();
    expect(failureOf(reconciled)).toEqual({
      code: "pos_unavailable",
      detail: "The store's point system did not take the points; please try again",
    });
    expect((await stored(world))?.status).toBe("compensated");
  });

  it("waits instead of concluding while a late deduction could still arrive", async () => {
    const world = fakeWorld();
    const state = await prepared(world);
    world.pos.nextChange("timeout_not_applied");
    await caught(() => deductPoints(world.deps.saga, state));
    world.clock.advance(10_000);

    const early = await reconcileDeduction(world.deps.saga, state);

    expect(early).toMatchObject({ outcome: "pending", waitSeconds: 20 });
  });

  it("says unknown when two subtractions of the same size could be ours", async () => {
    const world = fakeWorld({ balance: 2000 });
    const state = await prepared(world);
    world.pos.nextChange("timeout_applied");
    world.pos.record(member.posId, { division: "7", at: world.clock.now().toISOString(), points: -500 });

    const reconciled = await deductionLost(world, state);

    expect(reconciled.reconciliation).toMatchObject({ outcome: "unknown" });
    expect(reconciled.reconciliation?.reason).toContain("cannot tell which is ours");
  });

  it("says unknown when the balance fell although no subtraction is listed", async () => {
    const world = fakeWorld({ balance: 1250 });
    const state = await prepared(world);
    world.pos.nextChange("timeout_applied_unlisted");

    const reconciled = await deductionLost(world, state);

    expect(reconciled.reconciliation?.outcome).toBe("unknown");
    expect(reconciled.reconciliation?.reason).toContain("the balance fell from 1250 to 750");
  });

  it("says not applied when a till sale listed since the attempt explains the whole fall", async () => {
    const world = fakeWorld({ balance: 1250 });
    const state = await prepared(world);
    world.pos.nextChange("timeout_not_applied");
    world.pos.record(member.posId, { division: "1", at: world.clock.now().toISOString(), points: -100 });

    const reconciled = await deductionLost(world, state);

    expect(reconciled.reconciliation?.outcome).toBe("not_applied");
  });

  it("never takes another conversion's or a staff adjustment's subtraction for its own", async () => {
    // Prepare: two subtractions of the same size around the attempt, both owned by other records.
    const world = fakeWorld({ balance: 3000 });
    const at = world.clock.now().toISOString();
    const others = world.pos.record(member.posId, { division: "7", at, points: -500 });
    const staff = world.pos.record(member.posId, { division: "7", at, points: -500 });
    const state = await prepared(world);
    const mine = await stored(world);
    if (!mine) throw new Error("no conversion");
    world.tables.conversions.set("CONV0", {
      ...mine,
      conversionId: "CONV0",
      status: "completed",
      transactionHeadIds: [others.transactionHeadId],
    });
    await staffAdjustment(world, -500, { status: "applied", transactionHeadIds: [staff.transactionHeadId] });
    world.pos.nextChange("timeout_not_applied");

    // Act
    const reconciled = await deductionLost(world, state);

    // Assess: unclaimed, those two would make it ambiguous; claimed, nothing of ours is listed.
    expect(reconciled.reconciliation?.outcome).toBe("not_applied");
  });

  it("says not applied without reading the POS when no deduction was ever sent", async () => {
    const world = fakeWorld();
    const state = await prepared(world);
    world.pos.failNext("getBalance", new Error("must not be read"));

    const reconciled = await reconcileDeduction(world.deps.saga, state);

    expect(reconciled).toMatchObject({ outcome: "not_applied", reason: "no deduction was ever sent" });
  });
});

describe("DiscardCoupon", () => {
  it("deletes the code by the id CreateCoupon returned, and a second run still succeeds", async () => {
    const world = fakeWorld();
    const state = await prepared(world);
    world.shopify.failNext("findDiscountByCode", shopifyDown());

    const first = await discardCoupon(world.deps.saga, state);
    const again = await discardCoupon(world.deps.saga, state);

    // A creation whose answer was lost may still land: looked for again 20 s later (twice the Shopify timeout).
    expect(first).toEqual({
      deleted: true,
      lateUntil: new Date(world.clock.now().getTime() + 20_000).toISOString(),
    });
    expect(again).toEqual({ deleted: true, lateUntil: expect.any(String) });
    expect(world.shopify.discount(state.code)).toBeUndefined();
    expect(world.shopify.count("findDiscountByCode")).toBe(0);
  });

  it("finds by code a coupon whose creation answer was lost, and leaves another conversion's code alone", async () => {
    const world = fakeWorld();
    const order = await reservedConversion(world);
    await createCoupon(world.deps.saga, order);
    world.shopify.seedDiscount({ code: "OTHER-CODE", title: "Loyalty reward 500 points #CONV9" });

    const lost = await discardCoupon(world.deps.saga, order);
    const notOurs = await discardCoupon(world.deps.saga, { ...order, code: "OTHER-CODE" });

    expect(lost).toEqual({ deleted: true, lateUntil: expect.any(String) });
    expect(world.shopify.discount(order.code)).toBeUndefined();
    expect(notOurs).toEqual({ deleted: false, lateUntil: expect.any(String) });
    expect(world.shopify.discount("OTHER-CODE")).toBeDefined();
  });
});

describe("SweepLateCoupon", () => {
  /** A conversion the balance refused, compensated: its code deleted, its run at FailConversion. */
  async function compensated(world: FakeWorld) {
    const state = await refusedBesideCoupon(world);
    const discard = await discardCoupon({ ...world.deps.saga, creationSettleMs: 1_600 }, state);
    await failConversion(world.deps.saga, { ...state, discard });
    return { order: state, state: { ...state, discard } };
  }

  it("deletes a code that a lost creation made after the compensation, once none can land any more", async () => {
    // Prepare: an earlier attempt of CreateCoupon, its answer lost, reaches Shopify late.
    const world = fakeWorld({ balance: 100 });
    const { order, state } = await compensated(world);
    world.clock.advance(400);
    await createCoupon(world.deps.saga, order);

    // Act
    const early = await sweepLateCoupon(world.deps.saga, state);
    world.clock.advance(1_200);
    const swept = await sweepLateCoupon(world.deps.saga, state);

    // Assess
    expect(early).toEqual({ pending: true, waitSeconds: 2 });
    expect(swept).toEqual({ deleted: true });
    expect(world.shopify.discount(order.code)).toBeUndefined();
    expect(world.tables.eventTypes(conversion).slice(-2)).toEqual([
      "conversion.failed:failed",
      "coupon.discarded:succeeded",
    ]);
    expect((await stored(world))?.status).toBe("compensated");
  });

  it("leaves the trail as it was when no late creation came", async () => {
    const world = fakeWorld({ balance: 100 });
    const { state } = await compensated(world);
    const trail = world.tables.eventTypes(conversion);
    world.clock.advance(1_600);

    const swept = await sweepLateCoupon(world.deps.saga, state);

    expect(swept).toEqual({ deleted: false });
    expect(world.tables.eventTypes(conversion)).toEqual(trail);
  });
});

describe("FailConversion", () => {
  it("marks a conversion whose coupon was not deleted failed, with the cause's message", async () => {
    const world = fakeWorld({ balance: 100 });
    const order = await reservedConversion(world);
    const error = await caught(() => checkBalance(world.deps.saga, order));

    const failed = await failConversion(world.deps.saga, { ...order, error, discard: { deleted: false } });

    expect(failed).toEqual({ status: "failed" });
    expect(await stored(world)).toMatchObject({
      status: "failed",
      failure: { code: "insufficient_points", detail: "You have 100 points; 500 are needed for this coupon" },
    });
    expect(world.tables.leases.has(member.number)).toBe(false);
  });

  it("frees the customer and the day's allowance before the conversion reads failed", async () => {
    // Prepare: note what a customer who reads the failure would meet at that moment.
    const world = fakeWorld({ balance: 100 });
    const order = await reservedConversion(world);
    const error = await caught(() => checkBalance(world.deps.saga, order));
    const conversions = world.deps.saga.conversions;
    const seenWhenFailed: Array<{ leaseHeld: boolean; convertedToday: number | undefined }> = [];
    const watched: typeof conversions = Object.create(conversions, {
      updateConversion: {
        value: async (...args: Parameters<typeof conversions.updateConversion>) => {
          if (args[2].status === "failed") {
            seenWhenFailed.push({
              leaseHeld: world.tables.leases.has(member.number),
              convertedToday: world.tables.dailyPoints.get(`${member.number}#${order.shopDate}`),
            });
          }
          return conversions.updateConversion(...args);
        },
      },
    });

    // Act
    await failConversion(
      { ...world.deps.saga, conversions: watched },
      { ...order, error, discard: { deleted: false } },
    );

    // Assess
    expect(seenWhenFailed).toEqual([{ leaseHeld: false, convertedToday: 0 }]);
  });
});

describe("ParkForReview", () => {
  it("keeps the coupon unusable, frees the customer and tells the admins, without refunding the allowance", async () => {
    const world = fakeWorld({ balance: 1250 });
    const state = await prepared(world);
    world.pos.nextChange("timeout_applied_unlisted");
    const reconciled = await deductionLost(world, state);

    await parkForReview(world.deps.saga, reconciled);

    expect(world.shopify.discount(state.code)?.status).toBe("EXPIRED");
    expect(world.tables.coupon(state.code)?.status).toBe("inactive");
    expect(await stored(world)).toMatchObject({ status: "needs_review" });
    expect((await stored(world))?.reviewReason).toMatch(
      /^deduction outcome unknown: .*; the coupon was deactivated$/,
    );
    expect(world.tables.leases.has(member.number)).toBe(false);
    expect(world.tables.dailyPoints.get(`${member.number}#${state.shopDate}`)).toBe(500);
    expect(world.alerts.kinds()).toEqual(["needs_review"]);
  });

  it("is retried while Shopify is down, then parks saying the code is still live", async () => {
    const world = fakeWorld();
    const state = await prepared(world);
    world.pos.nextChange("timeout_applied_unlisted");
    const reconciled = await deductionLost(world, state);
    world.shopify.failNext("deactivateDiscount", shopifyDown(), shopifyDown());

    const retried = await caught(() => parkForReview(world.deps.saga, reconciled));
    await parkForReview(world.deps.saga, { ...reconciled, deactivationError: retried });

    expect(retried.Error).toBe("ShopifyUnavailable");
    expect(world.shopify.discount(state.code)?.status).toBe("ACTIVE");
    expect(await stored(world)).toMatchObject({ status: "needs_review", couponLive: true });
    expect(world.alerts.raised[0]?.details.deactivation).toContain("could NOT be deactivated");
  });

  it("alerts compensation_failed when the coupon of a failed deduction could not be deleted", async () => {
    const world = fakeWorld();
    const state = await prepared(world);
    world.pos.nextChange("declined");
    const error = await caught(() => deductPoints(world.deps.saga, state));
    world.shopify.failNext("deleteDiscount", shopifyDown());
    const compensationError = await caught(() => discardCoupon(world.deps.saga, { ...state, error }));

    await parkForReview(world.deps.saga, { ...state, error, compensationError });

    expect(world.alerts.kinds()).toEqual(["compensation_failed"]);
    expect((await stored(world))?.reviewReason).toContain(
      "compensation failed: the coupon could not be deleted after insufficient_points",
    );
    expect(world.shopify.discount(state.code)?.status).toBe("EXPIRED");
  });
});

describe("ConfirmConversion", () => {
  it("records the coupon as live and completes the conversion; a re-run changes nothing", async () => {
    const world = fakeWorld({ balance: 1250 });
    const state = await prepared(world);
    const deduction = await deductPoints(world.deps.saga, state);

    await confirmConversion(world.deps.saga, { ...state, deduction });
    const before = await stored(world);
    await confirmConversion(world.deps.saga, { ...state, deduction });

    expect(before).toMatchObject({ status: "completed", balanceBefore: 1250, balanceAfter: 750 });
    expect(await stored(world)).toMatchObject({ status: "completed", balanceAfter: 750 });
    expect(world.tables.coupon(state.code)).toMatchObject({ status: "active", pointsUsed: 500 });
    expect(world.tables.leases.has(member.number)).toBe(false);
    expect(world.tables.dailyPoints.get(`${member.number}#${state.shopDate}`)).toBe(500);
    expect(world.pos.netChange(member.posId)).toBe(-500);
  });

  it("completes step by step when an earlier attempt already freed the customer and wrote the coupon", async () => {
    // Prepare: reconciliation found the points taken; a first attempt got as far as the coupon's
    // record, the POS transaction and the lease, one by one, then stopped.
    const world = fakeWorld({ balance: 1250 });
    const state = await prepared(world);
    world.pos.nextChange("timeout_applied");
    const reconciled = await deductionLost(world, state);
    await world.coupons.putCoupon(couponOf(state));
    await world.conversions.updateConversion(state.conversionId, ["reserved"], {
      transactionHeadIds: reconciled.reconciliation?.transactionHeadIds ?? [],
    });
    await world.conversions.releaseReservation(state.conversionId, state.customerId);
    expect((await stored(world))?.status).toBe("reserved");

    // Act: ConfirmConversion's retry
    await confirmConversion(world.deps.saga, reconciled);

    // Assess
    expect(await stored(world)).toMatchObject({ status: "completed", balanceAfter: 750 });
    expect(world.tables.coupon(state.code)).toMatchObject({ status: "active", pointsUsed: 500 });
    expect(world.tables.leases.has(member.number)).toBe(false);
    expect(
      world.tables.eventTypes(conversion).filter((entry) => entry.startsWith("conversion.completed")),
    ).toEqual(["conversion.completed:succeeded"]);
  });
});

describe("SaveCouponRecord", () => {
  it("shows the coupon in the customer's record", async () => {
    const world = fakeWorld();
    const state = await prepared(world);
    const deduction = await deductPoints(world.deps.saga, state);
    await confirmConversion(world.deps.saga, { ...state, deduction });

    await saveCouponRecord(world.deps.saga, { ...state, deduction });

    expect(world.shopify.metafield(customerGid, COUPON_RECORD_NAMESPACE, COUPON_RECORD_KEY)).toEqual({
      coupons: [expect.objectContaining({ code: state.code, status: "active", points_used: 500 })],
    });
    expect(await stored(world)).toMatchObject({ metafieldSaved: true });
  });

  it("when Shopify keeps failing, the coupon stands and the admins hear of the missing record", async () => {
    const world = fakeWorld();
    const state = await prepared(world);
    const deduction = await deductPoints(world.deps.saga, state);
    await confirmConversion(world.deps.saga, { ...state, deduction });
    world.shopify.failNext("updateJsonMetafield", shopifyDown());

    const error = await caught(() => saveCouponRecord(world.deps.saga, { ...state, deduction }));
    await reportRecordNotSaved(world.deps.saga, { ...state, deduction, error });

    expect(world.alerts.raised).toEqual([
      expect.objectContaining({
        kind: "coupon_record_not_saved",
        details: expect.objectContaining({ code: state.code, error: "Shopify answered 503" }),
      }),
    ]);
    expect((await stored(world))?.status).toBe("completed");
    expect(world.tables.coupon(state.code)?.status).toBe("active");
  });
});

describe("ReturnLateDeduction", () => {
  /** A deduction whose answer was lost, found not applied once it settled, and compensated. */
  async function compensatedAfterLostAnswer(world: FakeWorld): Promise<SagaState> {
    const state = await prepared(world);
    world.pos.nextChange("timeout_not_applied");
    const lost = await deductionLost(world, state);
    const discard = await discardCoupon(world.deps.saga, lost);
    await failConversion(world.deps.saga, { ...lost, discard });
    return { ...lost, discard };
  }

  /** The POS applies the lost request after all, minutes later (a queue on its side). */
  const landLate = (world: FakeWorld, points = 500) =>
    world.pos.record(member.posId, { division: "7", at: world.clock.now().toISOString(), points: -points });

  const lateDeps = (world: FakeWorld) => ({ ...world.deps.adjustment, conversions: world.conversions });

  it("gives back the points the POS took after the conversion was compensated, once", async () => {
    // Prepare
    const world = fakeWorld({ balance: 1250 });
    const state = await compensatedAfterLostAnswer(world);
    world.clock.advance(60_000);
    const late = landLate(world);
    world.clock.advance(240_000);

    // Act: WaitBeforeRecheckingDeduction -> ReturnLateDeduction, then the step once more (a retry)
    const checked = await returnLateDeduction(lateDeps(world), state);
    const again = await returnLateDeduction(lateDeps(world), state);

    // Assess: the customer has every point back, given back exactly once.
    expect(checked).toEqual({
      found: "this_conversion",
      transactionHeadId: late.transactionHeadId,
      returned: "applied",
    });
    expect(again).toEqual(checked);
    expect(world.pos.balanceOf(member.posId)).toBe(1250);
    expect(world.pos.applied.filter((change) => change.delta === 500)).toHaveLength(1);
    // The conversion owns the late subtraction, so no later reconciliation takes it for its own.
    expect(await stored(world)).toMatchObject({
      status: "compensated",
      transactionHeadIds: [late.transactionHeadId],
      failure: { code: "pos_unavailable", detail: expect.stringContaining("took the points after") },
    });
    const [adjustment] = await world.adjustments.listByCustomer(member.number, 10);
    expect(adjustment).toMatchObject({
      idempotencyKey: "late-deduction-CONV1",
      points: 500,
      reason: "correction",
      status: "applied",
      requestedBy: "system:late-deduction-return",
    });
    expect(world.tables.eventTypes(conversion).slice(-2)).toEqual([
      "points.deducted_late:succeeded",
      "points.returned:succeeded",
    ]);
    expect(world.tables.eventsOf({ type: "customer", id: member.number }).map((e) => e.actor)).toContainEqual(
      {
        kind: "system",
        id: "system:late-deduction-return",
      },
    );
    expect(world.alerts.raised).toEqual([]);
  });

  it("gives the points back once even when the return's own answer is lost", async () => {
    // Prepare
    const world = fakeWorld({ balance: 1250 });
    const state = await compensatedAfterLostAnswer(world);
    landLate(world);
    world.clock.advance(300_000);
    world.pos.nextChange("timeout_applied");

    // Act
    const checked = await returnLateDeduction(lateDeps(world), state);

    // Assess: the adjustment read the POS after its settle wait and found its addition.
    expect(checked.returned).toBe("applied");
    expect(world.pos.balanceOf(member.posId)).toBe(1250);
    expect(world.pos.attempts.filter((attempt) => attempt.delta === 500)).toHaveLength(1);
  });

  it("moves nothing when no subtraction landed", async () => {
    // Prepare
    const world = fakeWorld({ balance: 1250 });
    const state = await compensatedAfterLostAnswer(world);
    world.clock.advance(300_000);

    // Act
    const checked = await returnLateDeduction(lateDeps(world), state);

    // Assess
    expect(checked).toEqual({ found: "none" });
    expect(world.pos.balanceOf(member.posId)).toBe(1250);
    expect(world.pos.attempts).toHaveLength(1);
    expect((await stored(world))?.transactionHeadIds).toBeUndefined();
    expect(world.tables.eventTypes(conversion).at(-1)).toBe("deduction.rechecked:succeeded");
  });

  it("alerts and moves nothing when another unanswered conversion of the same points could own it", async () => {
    // Prepare: the customer tried again; that deduction's answer was lost too, and it was compensated.
    const world = fakeWorld({ balance: 2000 });
    const state = await compensatedAfterLostAnswer(world);
    const mine = await stored(world);
    if (!mine) throw new Error("no conversion");
    world.clock.advance(20_000);
    world.tables.conversions.set("CONV2", {
      ...mine,
      conversionId: "CONV2",
      deductionStartedAt: world.clock.now().toISOString(),
    });
    world.clock.advance(10_000);
    const late = landLate(world);
    world.clock.advance(270_000);

    // Act
    const checked = await returnLateDeduction(lateDeps(world), state);

    // Assess: no guess; the admins hear of it with the transaction and the rival.
    expect(checked).toEqual({ found: "ambiguous" });
    expect(world.pos.balanceOf(member.posId)).toBe(1500);
    expect(world.pos.attempts).toHaveLength(1);
    // Claimed, then given up again once the rival showed: the subtraction is nobody's.
    expect((await stored(world))?.transactionHeadIds ?? []).toEqual([]);
    expect(world.alerts.kinds()).toEqual(["needs_review"]);
    expect(world.alerts.raised[0]?.details).toMatchObject({
      conversionId: "CONV1",
      transactionHeadIds: [late.transactionHeadId],
    });
    expect(String(world.alerts.raised[0]?.details.reason)).toContain("CONV2");
  });

  it("does not count a conversion whose own recheck ended before the subtraction was stamped", async () => {
    // Prepare: an earlier unanswered conversion of the same points, rechecked (nothing found) already.
    const world = fakeWorld({ balance: 2000 });
    const state = await compensatedAfterLostAnswer(world);
    const mine = await stored(world);
    if (!mine) throw new Error("no conversion");
    world.tables.conversions.set("CONV0", {
      ...mine,
      conversionId: "CONV0",
      deductionStartedAt: new Date(world.clock.now().getTime() - 400_000).toISOString(),
      deductionRecheckedAt: new Date(world.clock.now().getTime() - 1_000).toISOString(),
    });
    const late = landLate(world);
    world.clock.advance(300_000);

    // Act
    const checked = await returnLateDeduction(lateDeps(world), state);

    // Assess
    expect(checked).toMatchObject({ found: "this_conversion", transactionHeadId: late.transactionHeadId });
    expect(world.pos.balanceOf(member.posId)).toBe(2000);
    expect((await stored(world))?.deductionRecheckedAt).toBe(world.clock.now().toISOString());
  });

  it("counts a staff subtraction of the same size whose answer was lost as a rival", async () => {
    // Prepare
    const world = fakeWorld({ balance: 2000 });
    const state = await compensatedAfterLostAnswer(world);
    await staffAdjustment(world, -500, { status: "needs_review" });
    landLate(world);
    world.clock.advance(300_000);

    // Act
    const checked = await returnLateDeduction(lateDeps(world), state);

    // Assess
    expect(checked).toEqual({ found: "ambiguous" });
    expect(world.pos.balanceOf(member.posId)).toBe(1500);
    expect(String(world.alerts.raised[0]?.details.reason)).toContain("adjustment ADJ1");
  });

  it("gives the subtraction up when another conversion took it for its own meanwhile", async () => {
    // Prepare: a later conversion's reconciliation read the POS before the claim and took the
    // late subtraction for its own deduction, completing once the claim was written.
    const world = fakeWorld({ balance: 2000 });
    const state = await compensatedAfterLostAnswer(world);
    const mine = await stored(world);
    if (!mine) throw new Error("no conversion");
    const late = landLate(world);
    world.clock.advance(300_000);
    const conversions = world.conversions;
    const racing = {
      ...conversions,
      getConversion: conversions.getConversion.bind(conversions),
      listConversionsByCustomer: conversions.listConversionsByCustomer.bind(conversions),
      updateConversion: async (...args: Parameters<typeof conversions.updateConversion>) => {
        const updated = await conversions.updateConversion(...args);
        if (args[2].transactionHeadIds?.length) {
          world.tables.conversions.set("CONV2", {
            ...mine,
            conversionId: "CONV2",
            status: "completed",
            transactionHeadIds: [late.transactionHeadId],
          });
        }
        return updated;
      },
    };

    // Act
    const checked = await returnLateDeduction({ ...lateDeps(world), conversions: racing }, state);

    // Assess: one owner for the subtraction, no points moved, the admins decide.
    expect(checked).toEqual({ found: "ambiguous" });
    expect(world.pos.balanceOf(member.posId)).toBe(1500);
    expect((await stored(world))?.transactionHeadIds ?? []).toEqual([]);
    expect(String(world.alerts.raised[0]?.details.reason)).toContain("owns it already");
  });

  it("counts a completed conversion that does not know its own subtraction as a rival", async () => {
    // Prepare: the customer tried again and it completed, but the POS answered without transaction ids.
    const world = fakeWorld({ balance: 2000 });
    const state = await compensatedAfterLostAnswer(world);
    const mine = await stored(world);
    if (!mine) throw new Error("no conversion");
    world.tables.conversions.set("CONV2", {
      ...mine,
      conversionId: "CONV2",
      status: "completed",
      transactionHeadIds: [],
      deductionStartedAt: world.clock.now().toISOString(),
    });
    landLate(world);
    world.clock.advance(300_000);

    // Act
    const checked = await returnLateDeduction(lateDeps(world), state);

    // Assess: that subtraction may be the completed one's: nothing is given back.
    expect(checked).toEqual({ found: "ambiguous" });
    expect(world.pos.balanceOf(member.posId)).toBe(1500);
  });

  it("does not send the return again when its answer was lost and the POS does not list it", async () => {
    // Prepare
    const world = fakeWorld({ balance: 1250 });
    const state = await compensatedAfterLostAnswer(world);
    landLate(world);
    world.clock.advance(300_000);
    world.pos.nextChange("timeout_not_applied");

    // Act: the step, then a repeat of it
    const checked = await returnLateDeduction(lateDeps(world), state);
    const again = await returnLateDeduction(lateDeps(world), state);

    // Assess: sent once; a person decides whether it must go again.
    expect(checked).toMatchObject({ found: "this_conversion", returned: "needs_review" });
    expect(again.returned).not.toBe("applied");
    expect(world.pos.attempts.filter((attempt) => attempt.delta === 500)).toHaveLength(1);
    expect(world.alerts.kinds()).toContain("needs_review");
    expect(world.tables.eventTypes(conversion)).toContain("points.returned:unknown");
  });

  it("does not count a declined or a completed conversion as a rival", async () => {
    // Prepare: a later conversion of the same points completed with its own subtraction, another was declined.
    const world = fakeWorld({ balance: 2000 });
    const state = await compensatedAfterLostAnswer(world);
    const mine = await stored(world);
    if (!mine) throw new Error("no conversion");
    const own = world.pos.record(member.posId, {
      division: "7",
      at: world.clock.now().toISOString(),
      points: -500,
    });
    world.tables.conversions.set("CONV2", {
      ...mine,
      conversionId: "CONV2",
      status: "completed",
      transactionHeadIds: [own.transactionHeadId],
      deductionStartedAt: world.clock.now().toISOString(),
    });
    world.tables.conversions.set("CONV3", {
      ...mine,
      conversionId: "CONV3",
      failure: { code: "insufficient_points", detail: "declined" },
      deductionStartedAt: world.clock.now().toISOString(),
    });
    const late = landLate(world);
    world.clock.advance(300_000);

    // Act
    const checked = await returnLateDeduction(lateDeps(world), state);

    // Assess
    expect(checked).toMatchObject({ found: "this_conversion", transactionHeadId: late.transactionHeadId });
    expect(world.pos.balanceOf(member.posId)).toBe(1500);
  });
});
