import { randomInt, randomUUID } from "node:crypto";
import { GetCommand, ScanCommand } from "@aws-sdk/lib-dynamodb";
import { describe, expect, it } from "vitest";
import {
  DynamoAuditHistory,
  DynamoConversionCompletion,
  DynamoConversionStore,
  DynamoCouponStore,
} from "../../shared/adapters/dynamodb";
import { Conflict, NotFound } from "../../shared/errors";
import {
  ConversionStatusConflict,
  DailyLimitExceeded,
  type NewAuditEvent,
  type NewConversion,
  type NewCoupon,
} from "../../shared/store";
import { useTestTables } from "../setup/dynamodb";

const { client, names } = await useTestTables();

/** A store whose clock the test moves. */
function storeAt(start: string) {
  const clock = { now: new Date(start) };
  const store = new DynamoConversionStore({
    client,
    tableName: names.loyalty,
    now: () => clock.now,
    dailyLimitPoints: 10_000,
    leaseSeconds: 300,
  });
  const advance = (seconds: number) => {
    clock.now = new Date(clock.now.getTime() + seconds * 1000);
  };
  return { store, advance };
}

function newCustomerId(): string {
  return String(randomInt(1_000_000_000, 9_999_999_999));
}

function conversionFor(customerId: string, overrides: Partial<NewConversion> = {}): NewConversion {
  const conversionId = randomUUID();
  return {
    conversionId,
    customerId,
    customerGid: `gid://shopify/Customer/${customerId}`,
    memberNumber: customerId,
    points: 500,
    amount: 500,
    currency: "JPY",
    code: `${customerId.slice(-5)}-${conversionId.slice(0, 6).toUpperCase()}-500`,
    idempotencyKey: randomUUID(),
    requestHash: "hash-500",
    shopDate: "2025-06-01",
    startsAt: "2025-06-01T03:00:00.000Z",
    expiresAt: "2026-06-01T03:00:00.000Z",
    ...overrides,
  };
}

async function itemsOf(customerId: string) {
  const result = await client.send(new ScanCommand({ TableName: names.loyalty, ConsistentRead: true }));
  return (result.Items ?? []).filter(
    (item) => String(item.pk).includes(customerId) || item.customerId === customerId,
  );
}

async function dailyPoints(customerId: string, shopDate: string): Promise<unknown> {
  const result = await client.send(
    new GetCommand({ TableName: names.loyalty, Key: { pk: `DAILY#${customerId}`, sk: shopDate } }),
  );
  return result.Item?.points;
}

async function caught(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error("expected a rejection");
}

describe("reserveConversion", () => {
  it("writes the idempotency record, the reserved conversion, the lease and the day's total together", async () => {
    // Prepare
    const { store } = storeAt("2025-06-01T03:00:00.000Z");
    const customerId = newCustomerId();
    const input = conversionFor(customerId, { points: 3000, amount: 3000 });

    // Act
    const result = await store.reserveConversion(input);

    // Assess
    expect(result.outcome).toBe("reserved");
    expect(result.conversion).toMatchObject({
      ...input,
      status: "reserved",
      createdAt: "2025-06-01T03:00:00.000Z",
    });
    const items = await itemsOf(customerId);
    const byPk = new Map(items.map((item) => [String(item.pk), item]));
    expect(byPk.get(`IDEM#${customerId}#${input.idempotencyKey}`)).toMatchObject({
      conversionId: input.conversionId,
      requestHash: "hash-500",
    });
    expect(byPk.get(`CONV#${input.conversionId}`)).toMatchObject({
      status: "reserved",
      gsi1pk: `CUST#${customerId}`,
      gsi2pk: "CONVSTATUS#reserved",
    });
    expect(byPk.get(`LEASE#${customerId}`)).toMatchObject({
      holder: input.conversionId,
      leaseExpiresAt: Date.parse("2025-06-01T03:05:00.000Z"),
    });
    expect(byPk.get(`DAILY#${customerId}`)).toMatchObject({ sk: "2025-06-01", points: 3000 });
    expect(items).toHaveLength(4);
    expect(await store.getConversion(input.conversionId)).toEqual(result.conversion);
  });

  it("answers conversion_in_progress with Retry-After while the lease is held, and writes nothing", async () => {
    // Prepare
    const { store, advance } = storeAt("2025-06-01T03:00:00.000Z");
    const customerId = newCustomerId();
    const first = conversionFor(customerId);
    await store.reserveConversion(first);
    const before = await itemsOf(customerId);
    advance(60);

    // Act
    const error = await caught(store.reserveConversion(conversionFor(customerId)));

    // Assess
    expect(error).toBeInstanceOf(Conflict);
    expect(error).toMatchObject({ code: "conversion_in_progress", status: 409, retryAfterSeconds: 3 });
    expect(await itemsOf(customerId)).toEqual(before);
  });

  it("takes a lease that expired without being released", async () => {
    // Prepare
    const { store, advance } = storeAt("2025-06-01T03:00:00.000Z");
    const customerId = newCustomerId();
    await store.reserveConversion(conversionFor(customerId));
    advance(301);
    const second = conversionFor(customerId);

    // Act
    const result = await store.reserveConversion(second);

    // Assess
    expect(result.outcome).toBe("reserved");
    const lease = (await itemsOf(customerId)).find((item) => item.pk === `LEASE#${customerId}`);
    expect(lease?.holder).toBe(second.conversionId);
    expect(await dailyPoints(customerId, "2025-06-01")).toBe(1000);
  });

  it("enforces 10,000 points per shop-local day across conversions and names what is left", async () => {
    // Prepare
    const { store } = storeAt("2025-06-01T03:00:00.000Z");
    const customerId = newCustomerId();
    const first = conversionFor(customerId, { points: 6000, amount: 6000 });
    await store.reserveConversion(first);
    await store.releaseReservation(first.conversionId, customerId);
    const tooMany = conversionFor(customerId, { points: 5000, amount: 5000 });

    // Act
    const error = await caught(store.reserveConversion(tooMany));

    // Assess
    expect(error).toBeInstanceOf(DailyLimitExceeded);
    expect(error).toMatchObject({ code: "daily_limit_exceeded", status: 422, remainingPoints: 4000 });
    expect((error as Error).message).toContain("4,000 points can still be converted today");
    expect(await store.getConversion(tooMany.conversionId)).toBeUndefined();
    expect(await dailyPoints(customerId, "2025-06-01")).toBe(6000);

    // Exactly the remainder still fits, then nothing more.
    const rest = conversionFor(customerId, { points: 4000, amount: 4000 });
    expect((await store.reserveConversion(rest)).outcome).toBe("reserved");
    await store.releaseReservation(rest.conversionId, customerId);
    const oneMore = await caught(store.reserveConversion(conversionFor(customerId, { points: 100 })));
    expect(oneMore).toMatchObject({ code: "daily_limit_exceeded", remainingPoints: 0 });

    // A new shop-local day starts from zero.
    const tomorrow = conversionFor(customerId, { points: 10_000, amount: 10_000, shopDate: "2025-06-02" });
    expect((await store.reserveConversion(tomorrow)).outcome).toBe("reserved");
  });

  it("refuses a single request above the daily limit without writing", async () => {
    const { store } = storeAt("2025-06-01T03:00:00.000Z");
    const customerId = newCustomerId();

    const error = await caught(store.reserveConversion(conversionFor(customerId, { points: 10_100 })));

    expect(error).toMatchObject({ code: "daily_limit_exceeded", remainingPoints: 10_000 });
    expect(await itemsOf(customerId)).toEqual([]);
  });

  it("returns the existing conversion for a reused idempotency key and writes nothing new", async () => {
    // Prepare
    const { store, advance } = storeAt("2025-06-01T03:00:00.000Z");
    const customerId = newCustomerId();
    const original = conversionFor(customerId, { idempotencyKey: "key-1" });
    const reserved = await store.reserveConversion(original);
    const before = await itemsOf(customerId);
    advance(5);

    // Act: a retry while the lease is still held, and one with a different body
    const replay = await store.reserveConversion(conversionFor(customerId, { idempotencyKey: "key-1" }));
    const reused = await store.reserveConversion(
      conversionFor(customerId, { idempotencyKey: "key-1", points: 900, requestHash: "hash-900" }),
    );

    // Assess
    expect(replay).toEqual({ outcome: "existing", conversion: reserved.conversion });
    expect(reused.outcome).toBe("existing");
    expect(reused.conversion.requestHash).toBe("hash-500");
    expect(await itemsOf(customerId)).toEqual(before);
    expect(await store.findByIdempotencyKey(customerId, "key-1")).toEqual(reserved.conversion);
    expect(await store.findByIdempotencyKey(customerId, "key-2")).toBeUndefined();
  });

  it("lets exactly one of 20 concurrent reservations for a customer through", async () => {
    // Prepare
    const { store } = storeAt("2025-06-01T03:00:00.000Z");
    const customerId = newCustomerId();
    const requests = Array.from({ length: 20 }, () =>
      conversionFor(customerId, { points: 1000, amount: 1000 }),
    );

    // Act
    const results = await Promise.allSettled(requests.map((request) => store.reserveConversion(request)));

    // Assess
    const reserved = results.filter((result) => result.status === "fulfilled");
    const refused = results.flatMap((result) => (result.status === "rejected" ? [result.reason] : []));
    expect(reserved).toHaveLength(1);
    expect(refused).toHaveLength(19);
    for (const reason of refused) expect(reason).toMatchObject({ code: "conversion_in_progress" });
    expect(await dailyPoints(customerId, "2025-06-01")).toBe(1000);
    const conversions = (await itemsOf(customerId)).filter((item) => String(item.pk).startsWith("CONV#"));
    expect(conversions).toHaveLength(1);
  });
});

describe("releaseReservation", () => {
  it("gives the day's points back exactly once, however often it is called", async () => {
    // Prepare
    const { store } = storeAt("2025-06-01T03:00:00.000Z");
    const customerId = newCustomerId();
    const input = conversionFor(customerId, { points: 3000, amount: 3000 });
    await store.reserveConversion(input);
    const refundDailyPoints = { shopDate: "2025-06-01", points: 3000 };

    // Act
    const first = await store.releaseReservation(input.conversionId, customerId, { refundDailyPoints });
    const second = await store.releaseReservation(input.conversionId, customerId, { refundDailyPoints });

    // Assess
    expect(first).toEqual({ leaseReleased: true, dailyPointsRefunded: true });
    expect(second).toEqual({ leaseReleased: false, dailyPointsRefunded: false });
    expect(await dailyPoints(customerId, "2025-06-01")).toBe(0);
    expect((await store.getConversion(input.conversionId))?.dailyRefunded).toBe(true);
    expect((await itemsOf(customerId)).some((item) => item.pk === `LEASE#${customerId}`)).toBe(false);
  });

  it("keeps the day's points of a conversion that deducted them", async () => {
    const { store } = storeAt("2025-06-01T03:00:00.000Z");
    const customerId = newCustomerId();
    const input = conversionFor(customerId, { points: 2000, amount: 2000 });
    await store.reserveConversion(input);

    const result = await store.releaseReservation(input.conversionId, customerId);

    expect(result).toEqual({ leaseReleased: true, dailyPointsRefunded: false });
    expect(await dailyPoints(customerId, "2025-06-01")).toBe(2000);
  });

  it("refuses a refund that does not match what the conversion counted", async () => {
    const { store } = storeAt("2025-06-01T03:00:00.000Z");
    const customerId = newCustomerId();
    const input = conversionFor(customerId, { points: 2000, amount: 2000 });
    await store.reserveConversion(input);

    const error = await caught(
      store.releaseReservation(input.conversionId, customerId, {
        refundDailyPoints: { shopDate: "2025-06-01", points: 5000 },
      }),
    );

    expect(error).toBeInstanceOf(Error);
    expect(await dailyPoints(customerId, "2025-06-01")).toBe(2000);
  });

  it("leaves a lease alone that a later conversion took after this one's expired", async () => {
    // Prepare
    const { store, advance } = storeAt("2025-06-01T03:00:00.000Z");
    const customerId = newCustomerId();
    const stale = conversionFor(customerId);
    await store.reserveConversion(stale);
    advance(301);
    const current = conversionFor(customerId);
    await store.reserveConversion(current);

    // Act
    const result = await store.releaseReservation(stale.conversionId, customerId);

    // Assess
    expect(result.leaseReleased).toBe(false);
    const error = await caught(store.reserveConversion(conversionFor(customerId)));
    expect(error).toMatchObject({ code: "conversion_in_progress" });
  });
});

describe("completeConversion", () => {
  const couponOf = (conversion: NewConversion): NewCoupon => ({
    code: conversion.code,
    conversionId: conversion.conversionId,
    customerId: conversion.customerId,
    customerGid: conversion.customerGid,
    discountId: "gid://shopify/DiscountCodeNode/1",
    amount: conversion.amount,
    currency: conversion.currency,
    pointsUsed: conversion.points,
    type: "fixed_discount",
    status: "active",
    startsAt: conversion.startsAt,
    expiresAt: conversion.expiresAt,
  });
  const completed = {
    status: "completed" as const,
    discountId: "gid://shopify/DiscountCodeNode/1",
    balanceBefore: 1200,
    balanceAfter: 700,
    transactionHeadIds: ["T1"],
  };
  const coupons = () => new DynamoCouponStore({ client, tableName: names.loyalty });
  const completion = new DynamoConversionCompletion({
    client,
    tableName: names.loyalty,
    auditTableName: names.audit,
  });
  const audit = new DynamoAuditHistory({ client, tableName: names.audit });
  /** The trail's entries of the completion, under the conversion and its coupon. */
  const trailOf = (conversion: NewConversion): NewAuditEvent[] =>
    ["points.deducted", "conversion.completed"].map((type) => ({
      subject: { type: "conversion", id: conversion.conversionId },
      relatedSubjects: [{ type: "coupon", id: conversion.code }],
      type,
      actor: { kind: "system", id: "convert-points" },
      outcome: "succeeded",
      eventId: `${type}-${conversion.conversionId}`,
    }));
  /** The completion a first `DeductPoints` asks for. */
  const completeFirst = (conversion: NewConversion) =>
    completion.completeConversion({
      conversionId: conversion.conversionId,
      customerId: conversion.customerId,
      coupon: couponOf(conversion),
      patch: completed,
      trail: trailOf(conversion),
    });
  const trailTypes = async (conversion: NewConversion) => ({
    conversion: (await audit.listAuditEvents({ type: "conversion", id: conversion.conversionId })).map(
      (event) => event.type,
    ),
    coupon: (await audit.listAuditEvents({ type: "coupon", id: conversion.code })).map((event) => event.type),
  });

  it("stores the coupon, completes the conversion, frees the customer and records the trail in one write", async () => {
    // Prepare
    const { store } = storeAt("2025-06-01T03:00:00.000Z");
    const customerId = newCustomerId();
    const conversion = conversionFor(customerId);
    await store.reserveConversion(conversion);

    // Act
    const done = await completeFirst(conversion);

    // Assess: all four, and the customer can convert again at once
    expect(done).toBe(true);
    expect(await trailTypes(conversion)).toEqual({
      conversion: expect.arrayContaining(["points.deducted", "conversion.completed"]),
      coupon: expect.arrayContaining(["points.deducted", "conversion.completed"]),
    });
    expect(await store.getConversion(conversion.conversionId)).toMatchObject(completed);
    expect(await coupons().getCoupon(conversion.code)).toMatchObject({ status: "active", pointsUsed: 500 });
    const page = await store.listConversionsByStatus("completed", { limit: 100 });
    expect(page.items.map((item) => item.conversionId)).toContain(conversion.conversionId);
    expect((await store.reserveConversion(conversionFor(customerId))).outcome).toBe("reserved");
  });

  it.each([
    { case: "the coupon was already stored", setUp: "coupon" },
    { case: "a later conversion holds the lease", setUp: "lease" },
    { case: "the conversion is no longer reserved", setUp: "status" },
    { case: "a trail entry is already recorded", setUp: "trail" },
  ] as const)("writes nothing and answers false when $case", async ({ setUp }) => {
    // Prepare
    const { store, advance } = storeAt("2025-06-01T03:00:00.000Z");
    const customerId = newCustomerId();
    const conversion = conversionFor(customerId);
    await store.reserveConversion(conversion);
    if (setUp === "coupon") await coupons().putCoupon({ ...couponOf(conversion), status: "inactive" });
    if (setUp === "lease") {
      advance(301);
      await store.reserveConversion(conversionFor(customerId));
    }
    if (setUp === "status") {
      await store.updateConversion(conversion.conversionId, ["reserved"], { status: "needs_review" });
    }
    const [deducted] = trailOf(conversion);
    if (setUp === "trail" && deducted) await audit.appendAuditEvent(deducted);
    const before = await itemsOf(customerId);
    const trailBefore = await trailTypes(conversion);

    // Act
    const done = await completeFirst(conversion);

    // Assess
    expect(done).toBe(false);
    expect(await itemsOf(customerId)).toEqual(before);
    expect(await trailTypes(conversion)).toEqual(trailBefore);
  });
});

describe("updateConversion", () => {
  it("moves a reserved conversion on and never overwrites a finished one", async () => {
    // Prepare
    const { store, advance } = storeAt("2025-06-01T03:00:00.000Z");
    const customerId = newCustomerId();
    const input = conversionFor(customerId);
    await store.reserveConversion(input);
    advance(2);
    const completed = await store.updateConversion(input.conversionId, ["reserved"], {
      status: "completed",
      discountId: "gid://shopify/DiscountCodeNode/1",
      transactionHeadIds: ["9001"],
      balanceBefore: 1200,
      balanceAfter: 700,
    });

    // Act: a late compensation step
    const error = await caught(
      store.updateConversion(input.conversionId, ["reserved", "needs_review"], {
        status: "compensated",
        failure: { code: "pos_declined", detail: "late" },
      }),
    );

    // Assess
    expect(completed).toMatchObject({
      status: "completed",
      balanceAfter: 700,
      updatedAt: "2025-06-01T03:00:02.000Z",
    });
    expect(error).toBeInstanceOf(ConversionStatusConflict);
    expect(error).toMatchObject({ code: "conversion_status_conflict", currentStatus: "completed" });
    expect(await store.getConversion(input.conversionId)).toEqual(completed);

    // Facts may still be added to a finished conversion without changing its status.
    const saved = await store.updateConversion(input.conversionId, ["completed"], { metafieldSaved: true });
    expect(saved).toMatchObject({ status: "completed", metafieldSaved: true });
    await expect(
      store.updateConversion(input.conversionId, ["completed"], { status: "needs_review" }),
    ).rejects.toThrow("cannot move");
  });

  it("reports a conversion that does not exist", async () => {
    const { store } = storeAt("2025-06-01T03:00:00.000Z");

    const error = await caught(store.updateConversion(randomUUID(), ["reserved"], { status: "failed" }));

    expect(error).toBeInstanceOf(NotFound);
  });
});

describe("listing conversions", () => {
  it("lists a customer's conversions and the needs_review queue newest first", async () => {
    // Prepare
    const { store, advance } = storeAt("2025-06-01T03:00:00.000Z");
    const customerId = newCustomerId();
    const ids: string[] = [];
    for (let index = 0; index < 3; index++) {
      const input = conversionFor(customerId);
      await store.reserveConversion(input);
      await store.updateConversion(input.conversionId, ["reserved"], {
        status: "needs_review",
        reviewReason: "POS did not tell whether the points were deducted",
      });
      await store.releaseReservation(input.conversionId, customerId);
      ids.push(input.conversionId);
      advance(60);
    }

    // Act
    const firstPage = await store.listConversionsByCustomer(customerId, { limit: 2 });
    const secondPage = await store.listConversionsByCustomer(customerId, {
      limit: 2,
      cursor: firstPage.nextCursor,
    });
    const review = await store.listConversionsByStatus("needs_review", { limit: 10 });

    // Assess
    expect(firstPage.items.map((item) => item.conversionId)).toEqual([ids[2], ids[1]]);
    expect(secondPage.items.map((item) => item.conversionId)).toEqual([ids[0]]);
    expect(secondPage.nextCursor).toBeUndefined();
    const reviewIds = review.items.map((item) => item.conversionId).filter((id) => ids.includes(id));
    expect(reviewIds).toEqual([ids[2], ids[1], ids[0]]);
  });
});
