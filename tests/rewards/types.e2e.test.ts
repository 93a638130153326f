import { randomUUID } from "node:crypto";
import { beforeEach, describe, expect, it } from "vitest";
import { demoCustomerGid } from "../../infra/local/demo-data";
import { taro, useTestStack } from "../support/local-stack";
import { codeOf, convertBy } from "./support";

/**
 * Every coupon type of the demo catalog, converted through the API on the whole local stack: the
 * discount Shopify gets has the template's shape, the points go once, the coupon record keeps
 * its type and rule; the custom reward is handed off instead, with the same guarantees.
 */
const t = await useTestStack();
const { stack } = t;
const taroGid = demoCustomerGid(taro.customerId);

beforeEach(() => {
  stack.smaregi.control.reset();
  stack.smaregi.store.reset();
  stack.shopify.control.reset();
  stack.shopify.store.reset();
  // Enough for any single reward of the catalog.
  stack.smaregi.store.setPoints(taro.posCustomerId, { point: 5000 });
});

const discountOf = (code: string) => {
  const discount = stack.shopify.store.findDiscountByCode(code);
  if (!discount) throw new Error(`No discount ${code} in the emulator`);
  return discount;
};

const handoffsOf = async (code: string) =>
  (await t.audit.listAuditEvents({ type: "coupon", id: code }))
    .filter((event) => event.type.startsWith("loyalty.coupon."))
    .map((event) => ({ type: event.type, payload: JSON.parse(String(event.data?.payload)) as unknown }));

const day = 24 * 60 * 60 * 1000;
const daysBetween = (from: Date | string, to: Date | string | null) =>
  to === null ? null : Math.round((new Date(to).getTime() - new Date(from).getTime()) / day);

describe("each coupon type becomes the matching Shopify discount", () => {
  it("fixed_discount: discountCodeBasicCreate with a fixed amount, once, for the customer only", async () => {
    // Act
    const answer = await convertBy(t, taro.customerId, { rewardId: "yen-500-off" });

    // Assess
    expect(answer.status).toBe(201);
    expect(answer.body).toMatchObject({
      status: "completed",
      coupon: {
        amount: 500,
        currency: "JPY",
        pointsUsed: 500,
        type: "fixed_discount",
        rewardId: "yen-500-off",
      },
      balance: { before: 5000, after: 4500 },
    });
    const code = codeOf(answer);
    expect(code).toMatch(/^70934-[0-9A-Z]{6}-500$/);
    const discount = discountOf(code);
    expect(discount).toMatchObject({
      kind: "basic",
      context: { kind: "customers", customerIds: [taroGid] },
      customerGets: {
        value: { kind: "amount", amount: "500", appliesOnEachItem: false },
        items: { kind: "all" },
      },
      minimumRequirement: null,
      usageLimit: 1,
      appliesOncePerCustomer: true,
    });
    expect(discount.title).toContain(String(answer.body.conversionId));
    expect(daysBetween(discount.startsAt, discount.endsAt)).toBe(365);
    expect(t.posBalance(taro.posCustomerId)).toBe(4500);
    expect(await t.coupons.getCoupon(code)).toMatchObject({
      type: "fixed_discount",
      rewardId: "yen-500-off",
      status: "active",
    });
  });

  it("percentage_discount: a fraction off with the subtotal minimum", async () => {
    const answer = await convertBy(t, taro.customerId, { rewardId: "ten-percent-off" });

    expect(answer.status).toBe(201);
    const code = codeOf(answer);
    expect(code).toMatch(/-10OFF$/);
    const discount = discountOf(code);
    expect(discount).toMatchObject({
      kind: "basic",
      customerGets: { value: { kind: "percentage", percentage: 0.1 }, items: { kind: "all" } },
      minimumRequirement: { kind: "subtotal", amount: "5000" },
      usageLimit: 1,
    });
    expect(daysBetween(discount.startsAt, discount.endsAt)).toBe(90);
    expect(t.posBalance(taro.posCustomerId)).toBe(4000);
    expect((await t.coupons.getCoupon(code))?.type).toBe("percentage_discount");
    // The customer's own list names the type and the reward too.
    const listed = (await (await t.api("/v1/me/coupons", { customerId: taro.customerId })).json()) as {
      coupons: Array<{ code: string; type: string; rewardId?: string }>;
    };
    expect(listed.coupons.find((coupon) => coupon.code === code)).toMatchObject({
      type: "percentage_discount",
      rewardId: "ten-percent-off",
    });
  });

  it("fixed_rate_discount: the named currency's amount, at the rule's rate", async () => {
    const answer = await convertBy(t, taro.customerId, { rewardId: "yen-1000-bonus" });

    expect(answer.status).toBe(201);
    expect(answer.body).toMatchObject({ coupon: { amount: 1000, currency: "JPY", pointsUsed: 900 } });
    const discount = discountOf(codeOf(answer));
    expect(discount.customerGets?.value).toEqual({
      kind: "amount",
      amount: "1000",
      appliesOnEachItem: false,
    });
    expect(t.posBalance(taro.posCustomerId)).toBe(4100);
  });

  it("free_shipping: discountCodeFreeShippingCreate everywhere, with the subtotal minimum", async () => {
    const answer = await convertBy(t, taro.customerId, { rewardId: "free-shipping" });

    expect(answer.status).toBe(201);
    const code = codeOf(answer);
    expect(code).toMatch(/-SHIP$/);
    expect(discountOf(code)).toMatchObject({
      kind: "freeShipping",
      destination: { kind: "all" },
      minimumRequirement: { kind: "subtotal", amount: "3000" },
      customerGets: null,
      usageLimit: 1,
      context: { kind: "customers", customerIds: [taroGid] },
    });
    expect(t.posBalance(taro.posCustomerId)).toBe(4700);
  });

  it("free_product: discountCodeBxgyCreate, the gift free with the qualifying purchase", async () => {
    const answer = await convertBy(t, taro.customerId, { rewardId: "tote-bag" });

    expect(answer.status).toBe(201);
    const code = codeOf(answer);
    expect(code).toMatch(/-GIFT$/);
    expect(discountOf(code)).toMatchObject({
      kind: "bxgy",
      customerBuys: {
        value: { kind: "quantity", quantity: "1" },
        items: { kind: "collections", collectionIds: ["gid://shopify/Collection/7002000000001"] },
      },
      customerGets: {
        value: { kind: "onQuantity", quantity: "1", effect: { kind: "percentage", percentage: 1 } },
        items: { kind: "products", productIds: ["gid://shopify/Product/7001000000001"], variantIds: [] },
      },
      usesPerOrderLimit: 1,
      usageLimit: 1,
    });
    expect(t.posBalance(taro.posCustomerId)).toBe(4200);
    expect((await t.coupons.getCoupon(code))?.type).toBe("free_product");
  });

  it("a variable reward: the coupon is worth the points chosen", async () => {
    const answer = await convertBy(t, taro.customerId, { rewardId: "points-to-yen", points: 700 });

    expect(answer.status).toBe(201);
    expect(answer.body).toMatchObject({ coupon: { amount: 700, pointsUsed: 700, type: "fixed_discount" } });
    expect(discountOf(codeOf(answer)).customerGets?.value).toMatchObject({ kind: "amount", amount: "700" });
    expect(t.posBalance(taro.posCustomerId)).toBe(4300);
  });
});

describe("a custom reward is handed to the merchant's integration", () => {
  it("issues no Shopify discount and records the loyalty.coupon.issued event", async () => {
    // Act
    const answer = await convertBy(t, taro.customerId, { rewardId: "cafe-drink" });

    // Assess
    expect(answer.status).toBe(201);
    const code = codeOf(answer);
    expect(code).toMatch(/-RWD$/);
    expect(stack.shopify.store.listDiscounts()).toHaveLength(0);
    expect(t.posBalance(taro.posCustomerId)).toBe(4400);
    expect(await handoffsOf(code)).toEqual([
      {
        type: "loyalty.coupon.issued",
        payload: expect.objectContaining({
          schemaVersion: 1,
          code,
          conversionId: answer.body.conversionId,
          customerId: taro.customerId,
          customerGid: taroGid,
          rewardId: "cafe-drink",
          rewardVersion: 1,
          points: 600,
          usageLimit: 1,
          coupon: expect.objectContaining({
            type: "custom",
            attributes: { store: "shibuya", item: "cafe-drink" },
          }),
        }),
      },
    ]);
    expect(await t.coupons.getCoupon(code)).toMatchObject({
      type: "custom",
      rewardId: "cafe-drink",
      discountId: `custom:${answer.body.conversionId}`,
      status: "active",
    });
  });

  it("revokes the handoff and takes nothing when the POS does not take the points", async () => {
    // Prepare: the deduction's answer is lost and the POS did not apply it.
    stack.smaregi.control.setFaults([{ operation: "addPoints", kind: "timeout", count: 1 }]);

    // Act
    const answer = await convertBy(t, taro.customerId, { rewardId: "cafe-drink" });

    // Assess
    expect(answer.status).toBe(503);
    expect(t.posBalance(taro.posCustomerId)).toBe(5000);
    const conversion = await t.conversions.getConversion(String(answer.body.conversionId));
    expect(conversion?.status).toBe("compensated");
    const handoffs = await handoffsOf(conversion?.code ?? "");
    expect(handoffs.map((handoff) => handoff.type)).toEqual([
      "loyalty.coupon.issued",
      "loyalty.coupon.revoked",
    ]);
    expect(handoffs[1]?.payload).toMatchObject({ reason: "compensated", rewardId: "cafe-drink" });
  });
});

describe("conversion by reward keeps the saga's guarantees", () => {
  it("replays the same coupon for the same key, even after the rule changed", async () => {
    // Prepare
    const key = randomUUID();
    const first = await convertBy(t, taro.customerId, { rewardId: "yen-500-off" }, key);

    // Act
    const replay = await convertBy(t, taro.customerId, { rewardId: "yen-500-off" }, key);
    const otherBody = await convertBy(t, taro.customerId, { rewardId: "free-shipping" }, key);

    // Assess
    expect(replay.status).toBe(201);
    expect(codeOf(replay)).toBe(codeOf(first));
    expect(otherBody).toMatchObject({ status: 422, body: { code: "idempotency_key_reused" } });
    expect(t.posBalance(taro.posCustomerId)).toBe(4500);
    expect(stack.shopify.store.listDiscounts()).toHaveLength(1);
  });

  it("refuses a reward the customer cannot pay for, and creates nothing", async () => {
    stack.smaregi.store.setPoints(taro.posCustomerId, { point: 400 });

    const answer = await convertBy(t, taro.customerId, { rewardId: "yen-500-off" });

    expect(answer).toMatchObject({ status: 422, body: { code: "insufficient_points" } });
    expect(stack.shopify.store.listDiscounts()).toHaveLength(0);
    expect(t.posBalance(taro.posCustomerId)).toBe(400);
  });

  it("keeps a plain points conversion exactly as it was", async () => {
    const answer = await convertBy(t, taro.customerId, { points: 500 });

    expect(answer.status).toBe(201);
    const coupon = answer.body.coupon as Record<string, unknown>;
    expect(Object.keys(coupon).sort()).toEqual([
      "amount",
      "code",
      "currency",
      "expiresAt",
      "pointsUsed",
      "startsAt",
    ]);
    expect(await t.coupons.getCoupon(String(coupon.code))).toMatchObject({ type: "fixed_discount" });
    expect((await t.coupons.getCoupon(String(coupon.code)))?.rewardId).toBeUndefined();
  });
});

describe("a variable reward's bounds", () => {
  it.each([
    [{ rewardId: "points-to-yen", points: 50 }, 422, "points_out_of_range", "minPoints"],
    [{ rewardId: "points-to-yen", points: 6000 }, 422, "points_out_of_range", "maxPoints"],
    [{ rewardId: "points-to-yen" }, 400, "invalid_points", "100 to 5000"],
    [{ rewardId: "points-to-yen", points: 250.5 }, 400, "invalid_points", "whole number"],
    [{ rewardId: "yen-500-off", points: 700 }, 400, "invalid_points", "costs 500 points"],
    [{ rewardId: "no-such-reward" }, 404, "reward_not_found", "no-such-reward"],
  ])("%j -> %i %s", async (body, status, code, hint) => {
    const answer = await convertBy(t, taro.customerId, body);

    expect(answer.status).toBe(status);
    expect(answer.body.code).toBe(code);
    expect(`${String(answer.body.detail)} ${String(answer.body.bound ?? "")}`).toContain(hint);
    expect(t.posBalance(taro.posCustomerId)).toBe(5000);
    expect(stack.shopify.store.listDiscounts()).toHaveLength(0);
  });
  it("cannot be cancelled from the admin API: the integration withdraws it, a point adjustment refunds", async () => {
    // Prepare
    const answer = await convertBy(t, taro.customerId, { rewardId: "cafe-drink" });
    const code = codeOf(answer);

    // Act
    const response = await t.adminApi(`/v1/admin/coupons/${code}/cancel`, {
      method: "POST",
      headers: { "content-type": "application/json", "idempotency-key": randomUUID() },
      body: JSON.stringify({ reason: "customer_request" }),
    });

    // Assess: refused in the admin's terms, nothing refunded, the coupon and its events untouched.
    expect(response.status).toBe(409);
    const problem = (await response.json()) as { code: string; detail: string };
    expect(problem.code).toBe("custom_reward_not_cancellable");
    expect(problem.detail).toMatch(/point adjustment/);
    expect(t.posBalance(taro.posCustomerId)).toBe(4400);
    expect((await t.coupons.getCoupon(code))?.status).toBe("active");
    expect((await handoffsOf(code)).map((handoff) => handoff.type)).toEqual(["loyalty.coupon.issued"]);
  });
});
