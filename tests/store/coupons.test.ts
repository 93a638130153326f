import { randomInt, randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import { DynamoCouponStore } from "../../shared/adapters/dynamodb";
import { DynamoCouponSearch } from "../../shared/adapters/dynamodb/coupon-search";
import { Conflict, InvalidRequest, NotFound } from "../../shared/errors";
import { CouponStatusConflict, type NewCoupon } from "../../shared/store";
import { useTestTables } from "../setup/dynamodb";

const { client, names } = await useTestTables();

function storeAt(start: string) {
  const clock = { now: new Date(start) };
  const store = new DynamoCouponStore({ client, tableName: names.loyalty, now: () => clock.now });
  const advance = (seconds: number) => {
    clock.now = new Date(clock.now.getTime() + seconds * 1000);
  };
  return { store, advance };
}

function newCustomerId(): string {
  return String(randomInt(1_000_000_000, 9_999_999_999));
}

function couponFor(customerId: string, overrides: Partial<NewCoupon> = {}): NewCoupon {
  const conversionId = randomUUID();
  return {
    code: `${customerId.slice(-5)}-${conversionId.slice(0, 6).toUpperCase()}-500`,
    conversionId,
    customerId,
    customerGid: `gid://shopify/Customer/${customerId}`,
    discountId: `gid://shopify/DiscountCodeNode/${randomInt(1, 1_000_000)}`,
    amount: 500,
    currency: "JPY",
    pointsUsed: 500,
    type: "fixed_discount",
    status: "active",
    startsAt: "2025-06-01T03:00:00.000Z",
    expiresAt: "2026-06-01T03:00:00.000Z",
    ...overrides,
  };
}

async function caught(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error("expected a rejection");
}

describe("putCoupon / getCoupon", () => {
  it("stores a coupon once and finds it whatever the case of the code", async () => {
    // Prepare
    const { store, advance } = storeAt("2025-06-01T03:00:00.000Z");
    const customerId = newCustomerId();
    const coupon = couponFor(customerId, { code: "70934-ab12cd-500" });

    // Act
    const first = await store.putCoupon(coupon);
    await store.updateCouponStatus("70934-AB12CD-500", ["active"], {
      status: "used",
      usedAt: "2025-06-02T01:00:00.000Z",
      orderId: "gid://shopify/Order/1",
    });
    advance(10);
    const retried = await store.putCoupon(coupon);

    // Assess
    expect(first.created).toBe(true);
    expect(first.coupon.code).toBe("70934-AB12CD-500");
    expect(retried.created).toBe(false);
    // The retried write of the same conversion did not reset the used coupon.
    expect(retried.coupon).toMatchObject({ status: "used", createdAt: "2025-06-01T03:00:00.000Z" });
    expect(await store.getCoupon("70934-ab12cd-500")).toEqual(retried.coupon);
    expect(await store.getCoupon("NOPE-000000-0")).toBeUndefined();
  });

  it("refuses a code that belongs to another conversion", async () => {
    const { store } = storeAt("2025-06-01T03:00:00.000Z");
    const customerId = newCustomerId();
    const coupon = couponFor(customerId);
    await store.putCoupon(coupon);

    const error = await caught(store.putCoupon({ ...coupon, conversionId: randomUUID() }));

    expect(error).toBeInstanceOf(Conflict);
    expect(error).toMatchObject({ code: "coupon_code_taken" });
  });
});

describe("updateCouponStatus", () => {
  it("cancels an active coupon and refuses to cancel a used one", async () => {
    // Prepare
    const { store } = storeAt("2025-06-01T03:00:00.000Z");
    const customerId = newCustomerId();
    const active = couponFor(customerId);
    const used = couponFor(customerId);
    await store.putCoupon(active);
    await store.putCoupon(used);
    await store.updateCouponStatus(used.code, ["active"], {
      status: "used",
      orderId: "gid://shopify/Order/7",
    });
    const cancellation = {
      status: "cancelled" as const,
      cancelledAt: "2025-06-03T00:00:00.000Z",
      cancelledBy: "admin-sub-1",
      cancelReason: "customer_request",
      refundTransactionHeadIds: ["501"],
    };

    // Act
    const cancelled = await store.updateCouponStatus(active.code, ["active"], cancellation);
    const error = await caught(store.updateCouponStatus(used.code, ["active"], cancellation));

    // Assess
    expect(cancelled).toMatchObject(cancellation);
    expect(error).toBeInstanceOf(CouponStatusConflict);
    expect(error).toMatchObject({ code: "coupon_status_conflict", currentStatus: "used" });
    expect((await store.getCoupon(used.code))?.status).toBe("used");
    expect(
      await caught(store.updateCouponStatus("NOPE-1", ["active"], { status: "cancelled" })),
    ).toBeInstanceOf(NotFound);
  });
});

describe("listing coupons", () => {
  it("lists a customer's coupons newest first, page by page", async () => {
    // Prepare
    const { store, advance } = storeAt("2025-06-01T03:00:00.000Z");
    const customerId = newCustomerId();
    const codes: string[] = [];
    for (let index = 0; index < 5; index++) {
      const coupon = couponFor(customerId);
      await store.putCoupon(coupon);
      codes.push(coupon.code);
      advance(60);
    }
    await store.putCoupon(couponFor(newCustomerId()));

    // Act
    const pages: string[][] = [];
    let cursor: string | undefined;
    do {
      const page = await store.listCouponsByCustomer(customerId, { limit: 2, cursor });
      pages.push(page.items.map((coupon) => coupon.code));
      cursor = page.nextCursor;
    } while (cursor !== undefined);

    // Assess
    expect(pages).toEqual([[codes[4], codes[3]], [codes[2], codes[1]], [codes[0]]]);
  });

  it("refuses a cursor from another customer's listing or a made-up one", async () => {
    const { store } = storeAt("2025-06-01T03:00:00.000Z");
    const customerId = newCustomerId();
    await store.putCoupon(couponFor(customerId));
    await store.putCoupon(couponFor(customerId));
    const page = await store.listCouponsByCustomer(customerId, { limit: 1 });

    const foreign = await caught(
      store.listCouponsByCustomer(newCustomerId(), { limit: 1, cursor: page.nextCursor }),
    );
    const garbage = await caught(
      store.listCouponsByCustomer(customerId, { limit: 1, cursor: "not-a-cursor" }),
    );

    expect(page.nextCursor).toBeDefined();
    expect(foreign).toBeInstanceOf(InvalidRequest);
    expect(foreign).toMatchObject({ code: "invalid_cursor", status: 400 });
    expect(garbage).toMatchObject({ code: "invalid_cursor" });
  });

  it("refuses a forged cursor that keeps the customer's partition but changes or adds keys", async () => {
    const { store } = storeAt("2025-06-01T03:00:00.000Z");
    const customerId = newCustomerId();
    await store.putCoupon(couponFor(customerId));
    await store.putCoupon(couponFor(customerId));
    const page = await store.listCouponsByCustomer(customerId, { limit: 1 });
    const genuine = JSON.parse(Buffer.from(page.nextCursor ?? "", "base64url").toString("utf8"));
    const forge = (key: Record<string, unknown>) =>
      Buffer.from(JSON.stringify(key), "utf8").toString("base64url");

    const forged = [
      { ...genuine, extra: "x" },
      { gsi1pk: genuine.gsi1pk },
      { ...genuine, pk: 7 },
      { ...genuine, gsi1sk: "x".repeat(5000) },
      { ...genuine, gsi1sk: "" },
      { ...genuine, gsi1sk: "CONV#2025" },
    ];
    const errors = await Promise.all(
      forged.map((key) => caught(store.listCouponsByCustomer(customerId, { limit: 1, cursor: forge(key) }))),
    );

    for (const error of errors) expect(error).toMatchObject({ code: "invalid_cursor", status: 400 });
  });

  it("lists all customers' coupons of one status for the admin, filling each page", async () => {
    // Prepare
    const { store, advance } = storeAt("2030-01-01T00:00:00.000Z");
    const search = new DynamoCouponSearch({ client, tableName: names.loyalty, coupons: store });
    const cancelledCodes: string[] = [];
    for (let index = 0; index < 6; index++) {
      const coupon = couponFor(newCustomerId(), { expiresAt: "2031-01-01T00:00:00.000Z" });
      await store.putCoupon(coupon);
      if (index % 2 === 0) {
        await store.updateCouponStatus(coupon.code, ["active"], { status: "cancelled" });
        cancelledCodes.push(coupon.code);
      }
      advance(60);
    }
    const now = new Date("2030-01-02T00:00:00.000Z");

    // Act
    const first = await search.search({ status: "cancelled", limit: 2 }, now);
    const second = await search.search({ status: "cancelled", limit: 2, cursor: first.nextCursor }, now);
    const all = await search.search({ status: "all", limit: 3 }, now);

    // Assess
    expect(first.items.map((coupon) => coupon.code)).toEqual([cancelledCodes[2], cancelledCodes[1]]);
    expect(second.items[0]?.code).toBe(cancelledCodes[0]);
    expect(all.items.map((coupon) => coupon.createdAt)).toEqual([
      "2030-01-01T00:05:00.000Z",
      "2030-01-01T00:04:00.000Z",
      "2030-01-01T00:03:00.000Z",
    ]);
  });

  it("refuses a shop-wide cursor that is not a position this listing gave", async () => {
    const { store } = storeAt("2030-01-01T00:00:00.000Z");
    const search = new DynamoCouponSearch({ client, tableName: names.loyalty, coupons: store });
    const customerId = newCustomerId();
    await store.putCoupon(couponFor(customerId));
    await store.putCoupon(couponFor(customerId));
    const now = new Date("2030-01-02T00:00:00.000Z");
    const customerPage = await store.listCouponsByCustomer(customerId, { limit: 1 });
    const forge = (value: unknown) => Buffer.from(JSON.stringify(value), "utf8").toString("base64url");

    const refused = await Promise.all(
      [
        customerPage.nextCursor,
        forge({ olderThan: "" }),
        forge({ olderThan: "x".repeat(1100) }),
        forge({ olderThan: "2030-01-01", extra: "x" }),
        forge({ olderThan: 7 }),
        forge({ gsi2pk: "COUPONS", gsi2sk: "2030", pk: "x", sk: "y" }),
        "not-a-cursor",
      ].map((cursor) => caught(search.search({ status: "used", limit: 1, cursor }, now))),
    );
    const page = await search.search({ status: "all", limit: 1 }, now);
    const next = await search.search({ status: "all", limit: 1, cursor: page.nextCursor }, now);

    for (const error of refused) expect(error).toMatchObject({ code: "invalid_cursor", status: 400 });
    expect(`${next.items[0]?.createdAt}` <= `${page.items[0]?.createdAt}`).toBe(true);
    expect(next.items[0]?.code).not.toBe(page.items[0]?.code);
  });
});
