import { randomInt, randomUUID } from "node:crypto";
import { GetCommand, PutCommand } from "@aws-sdk/lib-dynamodb";
import { describe, expect, it } from "vitest";
import { DynamoCouponStore } from "../../shared/adapters/dynamodb";
import { DynamoCancellationResolutionStore } from "../../shared/adapters/dynamodb/cancellation-resolutions";
import { DynamoCancellationStore } from "../../shared/adapters/dynamodb/cancellations";
import { DynamoResolutionStore } from "../../shared/adapters/dynamodb/conversion-resolutions";
import { DynamoCouponExpiry } from "../../shared/adapters/dynamodb/coupon-expiry";
import { couponIndexKeys, couponIndexKeysAt } from "../../shared/adapters/dynamodb/coupons";
import * as keys from "../../shared/adapters/dynamodb/keys";
import { cancellationIdOf } from "../../shared/cancellation/records";
import { type CouponRecord, type CouponStatus, couponRecordSchema, type NewCoupon } from "../../shared/store";
import { useTestTables } from "../setup/dynamodb";

/**
 * Every write that changes a coupon's status moves its listing keys in the same write: the status
 * index's `COUPONS#<status>` and byActivity's `COUPONS#active` (by end) or `COUPONS#others`
 * (`couponIndexKeys`). Here each such write, through the store that makes it, against DynamoDB Local.
 */

const { client, names } = await useTestTables();
const tableName = names.loyalty;
const at = new Date("2025-06-01T03:00:00.000Z");
const options = { client, tableName, now: () => at };
const coupons = new DynamoCouponStore(options);
const cancellations = new DynamoCancellationStore(options);

const keyNames = ["gsi2pk", "gsi2sk", "gsi3pk", "gsi3sk"] as const;

async function stored(code: string) {
  const { Item } = await client.send(
    new GetCommand({ TableName: tableName, Key: keys.coupon(code), ConsistentRead: true }),
  );
  if (Item === undefined) throw new Error(`no coupon ${code}`);
  return Item;
}

/** The coupon's stored keys are those of its status, and nothing else claims to list it. */
async function expectListedAs(code: string, status: CouponStatus, now?: Date) {
  const item = await stored(code);
  const coupon = couponRecordSchema.parse(item);
  expect(coupon.status).toBe(status);
  const listed = Object.fromEntries(
    keyNames.filter((name) => name in item).map((name) => [name, item[name]]),
  );
  expect(listed).toEqual(now === undefined ? couponIndexKeys(coupon) : couponIndexKeysAt(coupon, now));
  return item;
}

function newCoupon(overrides: Partial<NewCoupon> = {}): NewCoupon {
  const customerId = String(randomInt(1_000_000_000, 9_999_999_999));
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

const claimFields = (id: string) => ({
  idempotencyKey: randomUUID(),
  requestHash: "hash",
  note: "checked at the POS",
  requestedBy: "admin-sub",
  requestedByLabel: "admin@example.com",
  claimId: randomUUID(),
  startedAt: at.toISOString(),
  id,
});

describe("the coupon store", () => {
  it("writes a new coupon with the keys of its status", async () => {
    const active = await coupons.putCoupon(newCoupon());
    const parked = await coupons.putCoupon(newCoupon({ status: "inactive" }));

    const item = await expectListedAs(active.coupon.code, "active");
    expect(item).toMatchObject({
      gsi2pk: "COUPONS#active",
      gsi3pk: "COUPONS#active",
      gsi3sk: "2026-06-01T03:00:00.000Z",
    });
    expect(await expectListedAs(parked.coupon.code, "inactive")).toMatchObject({
      gsi2pk: "COUPONS#inactive",
      gsi3pk: "COUPONS#others",
    });
  });

  it("moves the keys with each status it sets, and leaves them when it sets no status", async () => {
    const { coupon } = await coupons.putCoupon(newCoupon());

    await coupons.updateCouponStatus(coupon.code, ["active"], { status: "inactive" });
    await expectListedAs(coupon.code, "inactive");
    await coupons.updateCouponStatus(coupon.code, ["inactive"], { status: "active" });
    await expectListedAs(coupon.code, "active");
    await coupons.updateCouponStatus(coupon.code, ["active"], {
      status: "used",
      orderId: "gid://shopify/Order/1",
    });
    await expectListedAs(coupon.code, "used");
    await coupons.updateCouponStatus(coupon.code, ["used"], { orderId: "gid://shopify/Order/2" });
    await expectListedAs(coupon.code, "used");
  });

  it("moves a coupon the sweep moved when its status changes again", async () => {
    const { coupon } = await coupons.putCoupon(newCoupon({ expiresAt: "2025-06-01T04:00:00.000Z" }));
    const later = new Date("2025-06-01T05:00:00.000Z");

    expect((await new DynamoCouponExpiry(options).indexExpired(later)).moved).toBeGreaterThanOrEqual(1);
    await expectListedAs(coupon.code, "active", later);
    // A checkout recorded late still marks it used.
    await coupons.updateCouponStatus(coupon.code, ["active"], { status: "used" });
    await expectListedAs(coupon.code, "used");
  });
});

describe("the cancellation store", () => {
  async function begin(code: string) {
    const coupon = await coupons.getCoupon(code);
    if (!coupon) throw new Error("no coupon");
    const idempotencyKey = randomUUID();
    const result = await cancellations.beginCancellation({
      cancellationId: cancellationIdOf(code, idempotencyKey),
      code,
      idempotencyKey,
      requestHash: "hash",
      conversionId: coupon.conversionId,
      customerId: coupon.customerId,
      customerGid: coupon.customerGid,
      discountId: coupon.discountId,
      points: coupon.pointsUsed,
      amount: coupon.amount,
      currency: coupon.currency,
      couponStartsAt: coupon.startsAt,
      couponExpiresAt: coupon.expiresAt,
      actorId: "admin-sub",
      cancelledBy: "admin@example.com",
      reason: "customer_request",
      requestedAt: at.toISOString(),
    });
    if (result.outcome !== "started") throw new Error(`not started: ${result.outcome}`);
    return result.cancellation.cancellationId;
  }

  it("takes the coupon into cancelling, and gives it back active by its end", async () => {
    const { coupon } = await coupons.putCoupon(newCoupon());

    const cancellationId = await begin(coupon.code);
    await expectListedAs(coupon.code, "cancelling");
    expect(await cancellations.markRefundStarted(coupon.code, cancellationId, 1, at, 1000)).toBe(true);
    await expectListedAs(coupon.code, "cancelling");
    expect(await cancellations.releaseCoupon(coupon.code, cancellationId)).toBe(true);

    const item = await expectListedAs(coupon.code, "active");
    expect(item.gsi3sk).toBe(coupon.expiresAt);
    expect(item).not.toHaveProperty("refundAttempts");
  });

  it("settles a parked cancellation's coupon, guards and keys together (staff resolution)", async () => {
    const resolutions = new DynamoCancellationResolutionStore(options);
    const given = (await coupons.putCoupon(newCoupon())).coupon;
    const cancelled = (await coupons.putCoupon(newCoupon())).coupon;
    const settle = async (coupon: CouponRecord, outcome: "points_refunded" | "points_not_refunded") => {
      const cancellationId = await begin(coupon.code);
      await cancellations.markRefundStarted(coupon.code, cancellationId, 1, at, 1000);
      // Parked: the cancellation in review, the coupon held inactive.
      await cancellations.updateCancellation(cancellationId, ["running"], { status: "needs_review" });
      await coupons.updateCouponStatus(coupon.code, ["cancelling"], { status: "inactive" });
      const { id, ...fields } = claimFields(cancellationId);
      const claim = await resolutions.claim({
        cancellationId: id,
        conversionId: coupon.conversionId,
        outcome,
        ...fields,
      });
      if (!claim) throw new Error("not claimed");
      const refunded = outcome === "points_refunded";
      await resolutions.commit({
        claim,
        cancellation: { cancellationId, status: refunded ? "cancelled" : "failed", patch: {} },
        coupon: {
          kind: "update",
          code: coupon.code,
          expected: "inactive",
          patch: { status: refunded ? "cancelled" : "active" },
          releaseGuard: !refunded,
        },
        answer: {
          cancellationId,
          code: coupon.code,
          status: refunded ? "cancelled" : "failed",
          coupon: { code: coupon.code, status: refunded ? "cancelled" : "active" },
          resolvedBy: "admin@example.com",
          resolvedAt: at.toISOString(),
          note: "checked",
        },
        trail: { detail: "resolved", data: {} },
      });
    };

    await settle(given, "points_not_refunded");
    await settle(cancelled, "points_refunded");

    expect(await expectListedAs(given.code, "active")).not.toHaveProperty("cancellationId");
    expect(await expectListedAs(cancelled.code, "cancelled")).toHaveProperty("refundAttempts", 1);
  });
});

describe("the conversion resolution", () => {
  it("makes a held coupon usable, or stores the coupon never stored, with the keys of its status", async () => {
    const resolutions = new DynamoResolutionStore(options);
    const held = (await coupons.putCoupon(newCoupon({ status: "inactive" }))).coupon;
    const unstored = newCoupon();
    const resolve = async (
      conversionId: string,
      coupon: Parameters<typeof resolutions.commit>[0]["coupon"],
    ) => {
      // A parked conversion, as far as the commit's conditions look.
      await client.send(
        new PutCommand({
          TableName: tableName,
          Item: {
            ...keys.conversion(conversionId),
            status: "needs_review",
            gsi2pk: keys.conversionStatus("needs_review"),
          },
        }),
      );
      const { id, ...fields } = claimFields(conversionId);
      const claim = await resolutions.claim({ conversionId: id, outcome: "points_taken", ...fields });
      if (!claim) throw new Error("not claimed");
      await resolutions.commit({
        claim,
        conversion: { conversionId, status: "completed", fields: {} },
        coupon,
        answer: {
          conversionId,
          status: "completed",
          coupon: null,
          resolvedBy: "admin@example.com",
          resolvedAt: at.toISOString(),
          note: "checked",
        },
        trail: { detail: "resolved", data: {} },
      });
    };

    await resolve(held.conversionId, {
      kind: "update",
      code: held.code,
      expected: "inactive",
      patch: { status: "active" },
    });
    await resolve(unstored.conversionId, { kind: "create", coupon: unstored });

    expect((await expectListedAs(held.code, "active")).gsi3sk).toBe(held.expiresAt);
    await expectListedAs(unstored.code, "active");
  });
});
