import { describe, expect, it } from "vitest";
import { taro, useTestStack } from "../support/local-stack";
import { adminClient, convertBy } from "./support";

/** The admin API of reward rules: roles, validation that names each property, versions, audit. */
const t = await useTestStack();
const admin = adminClient(t);

const rule = (overrides: Record<string, unknown> = {}, coupon: Record<string, unknown> = {}) => ({
  name: { ja: "テスト", en: "Test" },
  description: { ja: "テスト用", en: "For tests" },
  cost: { kind: "fixed", points: 400 },
  ...overrides,
  coupon: { type: "percentage_discount", percentage: 15, ...coupon },
});

describe("roles", () => {
  it("lets viewers read and only admins change", async () => {
    // Act
    const list = await admin("GET", "/v1/admin/rewards", { role: "viewer" });
    const one = await admin("GET", "/v1/admin/rewards/yen-500-off", { role: "viewer" });
    const create = await admin("POST", "/v1/admin/rewards", { role: "viewer", body: rule() });
    const replace = await admin("PUT", "/v1/admin/rewards/yen-500-off", { role: "viewer", body: rule() });
    const anonymous = await admin("GET", "/v1/admin/rewards", { role: "none" });

    // Assess
    expect(list.status).toBe(200);
    expect((list.body.rewards as Array<{ rewardId: string }>).map((reward) => reward.rewardId)).toEqual(
      expect.arrayContaining(["free-shipping", "yen-500-off", "ten-percent-off", "tote-bag", "cafe-drink"]),
    );
    expect(one).toMatchObject({ status: 200, body: { rewardId: "yen-500-off", version: 1 } });
    expect(create).toMatchObject({ status: 403, body: { code: "forbidden" } });
    expect(replace).toMatchObject({ status: 403, body: { code: "forbidden" } });
    expect(anonymous.status).toBe(401);
  });

  it("keeps customers out of the admin routes", async () => {
    const response = await t.api("/v1/admin/rewards", { customerId: taro.customerId });
    expect(response.status).toBe(401);
  });
});

describe("saving a rule", () => {
  it("creates, reads, replaces and deactivates, auditing each change with the admin as actor", async () => {
    // Act
    const created = await admin("POST", "/v1/admin/rewards", {
      body: { rewardId: "spring-sale", ...rule() },
      email: "hana@example.com",
    });
    const edited = await admin("PUT", "/v1/admin/rewards/spring-sale", {
      body: { ...rule({ version: 1 }, { percentage: 20 }) },
    });
    const stale = await admin("PUT", "/v1/admin/rewards/spring-sale", { body: rule({ version: 1 }) });
    const deactivated = await admin("PUT", "/v1/admin/rewards/spring-sale", {
      body: rule({ active: false }),
    });
    const converted = await convertBy(t, taro.customerId, { rewardId: "spring-sale" });

    // Assess
    expect(created).toMatchObject({
      status: 201,
      body: { rewardId: "spring-sale", version: 1, active: true, createdBy: "hana@example.com" },
    });
    expect(edited).toMatchObject({ status: 200, body: { version: 2, coupon: { percentage: 20 } } });
    expect(stale).toMatchObject({ status: 409, body: { code: "reward_changed" } });
    expect(deactivated).toMatchObject({ status: 200, body: { version: 3, active: false } });
    expect(converted).toMatchObject({ status: 422, body: { code: "reward_unavailable" } });
    const trail = await t.audit.listAuditEvents({ type: "reward", id: "spring-sale" });
    expect(trail.map((event) => [event.type, event.actor.kind, event.actor.id])).toEqual([
      ["reward.created", "admin", "admin:hana@example.com"],
      ["reward.updated", "admin", "admin:ops@example.com"],
      ["reward.deactivated", "admin", "admin:ops@example.com"],
    ]);
  });

  it("refuses an id that exists", async () => {
    const again = await admin("POST", "/v1/admin/rewards", { body: { rewardId: "yen-500-off", ...rule() } });
    expect(again).toMatchObject({ status: 409, body: { code: "reward_exists" } });
  });

  it("answers 404 for a rule that does not exist", async () => {
    expect(await admin("GET", "/v1/admin/rewards/nope-nope")).toMatchObject({
      status: 404,
      body: { code: "reward_not_found" },
    });
    expect(await admin("PUT", "/v1/admin/rewards/nope-nope", { body: rule() })).toMatchObject({
      status: 404,
      body: { code: "reward_not_found" },
    });
  });
});

describe("a property Shopify cannot express is refused, named, and nothing is stored", () => {
  it.each([
    ["a percentage cap", rule({}, { capping: 1000 }), "coupon.capping"],
    [
      "products mixed with collections",
      rule(
        {},
        {
          entitledProductIds: ["gid://shopify/Product/1"],
          entitledCollectionIds: ["gid://shopify/Collection/2"],
        },
      ),
      "coupon.entitledCollectionIds",
    ],
    [
      "a free product without entitled items",
      rule(
        {},
        {
          type: "free_product",
          percentage: undefined,
          qualifyingPurchase: { quantity: 1, productIds: ["gid://shopify/Product/3"] },
        },
      ),
      "coupon.entitledProductIds",
    ],
    [
      "a free product without a qualifying purchase",
      rule(
        {},
        { type: "free_product", percentage: undefined, entitledProductIds: ["gid://shopify/Product/3"] },
      ),
      "coupon.qualifyingPurchase",
    ],
    [
      "a free product with a subtotal minimum",
      rule(
        {},
        {
          type: "free_product",
          percentage: undefined,
          entitledProductIds: ["gid://shopify/Product/3"],
          qualifyingPurchase: { quantity: 1, productIds: ["gid://shopify/Product/4"] },
          minOrderValue: 3000,
        },
      ),
      "coupon.minOrderValue",
    ],
    [
      "free shipping limited to products",
      rule(
        {},
        { type: "free_shipping", percentage: undefined, entitledProductIds: ["gid://shopify/Product/1"] },
      ),
      "coupon.entitledProductIds",
    ],
    [
      "a fixed rate in another currency",
      rule({}, { type: "fixed_rate_discount", percentage: undefined, amount: 5, currency: "USD" }),
      "coupon.currency",
    ],
  ])("%s -> 422 reward_not_expressible naming %s", async (_case, body, property) => {
    // Act
    const saved = await admin("POST", "/v1/admin/rewards", { body: { rewardId: "refused-rule", ...body } });

    // Assess
    expect(saved.status).toBe(422);
    expect(saved.body).toMatchObject({ code: "reward_not_expressible", property });
    expect(String(saved.body.detail)).toContain(property);
    expect((await admin("GET", "/v1/admin/rewards/refused-rule")).status).toBe(404);
  });

  it("names every property at fault at once", async () => {
    const saved = await admin("POST", "/v1/admin/rewards", {
      body: rule(
        {},
        {
          capping: 500,
          entitledVariantIds: ["gid://shopify/ProductVariant/1"],
          entitledCollectionIds: ["gid://shopify/Collection/2"],
        },
      ),
    });

    expect(saved.status).toBe(422);
    expect(String(saved.body.properties).split(",")).toEqual([
      "coupon.capping",
      "coupon.entitledCollectionIds",
    ]);
  });

  it.each([
    [
      "a fixed discount without amount",
      rule({}, { type: "fixed_discount", percentage: undefined }),
      "coupon.amount",
    ],
    ["a percentage without percentage", rule({}, { percentage: undefined }), "coupon.percentage"],
    [
      "both expiry date and validity days",
      rule({}, { expiryDate: "2030-01-01T00:00:00Z", validityDays: 30 }),
      "coupon.validityDays",
    ],
    [
      "a variable percentage",
      rule({ cost: { kind: "variable", pointsPerUnit: 1, minPoints: 100, maxPoints: 500 } }),
      "cost",
    ],
    [
      "bounds the wrong way round",
      rule(
        { cost: { kind: "variable", pointsPerUnit: 1, minPoints: 500, maxPoints: 100 } },
        { type: "fixed_discount", percentage: undefined },
      ),
      "cost.maxPoints",
    ],
    ["a cost over the daily limit", rule({ cost: { kind: "fixed", points: 20000 } }), "cost.points"],
  ])("%s -> 422 invalid_reward naming %s", async (_case, body, property) => {
    const saved = await admin("POST", "/v1/admin/rewards", { body });

    expect(saved).toMatchObject({ status: 422, body: { code: "invalid_reward", property } });
  });

  it("answers 400 naming the field for a malformed rule", async () => {
    const saved = await admin("POST", "/v1/admin/rewards", {
      body: rule({}, { type: "voucher", entitledProductIds: ["shoes"] }),
    });

    expect(saved.status).toBe(400);
    expect(String(saved.body.detail)).toContain("coupon.type");
    expect(String(saved.body.detail)).toContain("coupon.entitledProductIds");
  });
});
