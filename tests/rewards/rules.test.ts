import { describe, expect, it } from "vitest";
import type { CouponTemplate } from "../../shared/rewards/coupon";
import { discountSpecOf, usageOf } from "../../shared/rewards/discount";
import { AuditOutboxCouponHandoff, type CouponIssued } from "../../shared/rewards/handoff";
import { isRewardActive, PointsOutOfRange, termsOf } from "../../shared/rewards/issue";
import type { RewardInput, RewardRule } from "../../shared/rewards/model";
import { rewardProblems } from "../../shared/rewards/validation";
import { validityOf } from "../../shared/rewards/validity";
import { DuplicateAuditEvent, type NewAuditEvent } from "../../shared/store";
import type { AuditEvent, CouponRecord } from "../../shared/store/records";

/** The reward domain without a stack: what is expressible, what Shopify gets, terms, validity, handoff. */

const context = { shopCurrency: "JPY", dailyLimit: 10_000 };
const input = (
  coupon: CouponTemplate,
  cost: RewardInput["cost"] = { kind: "fixed", points: 500 },
): RewardInput => ({
  name: { ja: "テスト", en: "Test" },
  description: { ja: "テスト", en: "Test" },
  cost,
  active: true,
  coupon,
});
const rule = (coupon: CouponTemplate, overrides: Partial<RewardRule> = {}): RewardRule => ({
  ...input(coupon),
  rewardId: "test-rule",
  version: 3,
  createdAt: "2026-01-01T00:00:00.000Z",
  updatedAt: "2026-01-01T00:00:00.000Z",
  createdBy: "ops",
  updatedBy: "ops",
  ...overrides,
});
const propertiesOf = (value: RewardInput) =>
  rewardProblems(value, context).map((problem) => problem.property);

describe("rewardProblems", () => {
  it.each<[string, CouponTemplate, string[]]>([
    ["a plain fixed discount", { type: "fixed_discount", amount: 500 }, []],
    [
      "a fixed discount on products and variants",
      {
        type: "fixed_discount",
        amount: 500,
        entitledProductIds: ["gid://shopify/Product/1"],
        entitledVariantIds: ["gid://shopify/ProductVariant/2"],
      },
      [],
    ],
    [
      "a percentage with a cap",
      { type: "percentage_discount", percentage: 10, capping: 1000 },
      ["coupon.capping"],
    ],
    [
      "a fixed discount with a cap",
      { type: "fixed_discount", amount: 500, capping: 1000 },
      ["coupon.capping"],
    ],
    [
      "free shipping on a collection",
      { type: "free_shipping", entitledCollectionIds: ["gid://shopify/Collection/1"] },
      ["coupon.entitledCollectionIds"],
    ],
    [
      "free product on products and collections",
      {
        type: "free_product",
        entitledProductIds: ["gid://shopify/Product/1"],
        entitledCollectionIds: ["gid://shopify/Collection/1"],
        qualifyingPurchase: { quantity: 1, productIds: ["gid://shopify/Product/2"] },
      },
      ["coupon.entitledCollectionIds"],
    ],
    [
      "free product bought with products and collections",
      {
        type: "free_product",
        entitledProductIds: ["gid://shopify/Product/1"],
        qualifyingPurchase: {
          quantity: 1,
          productIds: ["gid://shopify/Product/2"],
          collectionIds: ["gid://shopify/Collection/3"],
        },
      },
      ["coupon.qualifyingPurchase.collectionIds"],
    ],
    [
      "a percentage with an amount",
      { type: "percentage_discount", percentage: 10, amount: 5 },
      ["coupon.amount"],
    ],
    ["custom attributes elsewhere", { type: "free_shipping", attributes: { a: "b" } }, ["coupon.attributes"]],
    [
      "custom carries what Shopify could not",
      {
        type: "custom",
        capping: 100,
        minOrderValue: 10,
        entitledProductIds: ["gid://shopify/Product/1"],
        entitledCollectionIds: ["gid://shopify/Collection/1"],
      },
      [],
    ],
  ])("%s", (_case, coupon, expected) => {
    expect(propertiesOf(input(coupon))).toEqual(expected);
  });

  it("marks Shopify's limits as not expressible and plain mistakes as invalid", () => {
    const problems = rewardProblems(input({ type: "percentage_discount", capping: 1000 }), context);

    expect(problems).toEqual([
      { property: "coupon.percentage", message: "is required", kind: "invalid" },
      expect.objectContaining({ property: "coupon.capping", kind: "not_expressible" }),
    ]);
  });

  it("checks a variable cost's bounds against its unit and the daily limit", () => {
    const variable = input(
      { type: "fixed_discount" },
      { kind: "variable", pointsPerUnit: 3, minPoints: 100, maxPoints: 12_001 },
    );

    expect(propertiesOf(variable)).toEqual(["cost.maxPoints", "cost.minPoints", "cost.maxPoints"]);
  });
});

describe("discountSpecOf", () => {
  const issued = {
    code: "70934-ABCDEF-X",
    title: "Loyalty reward Test (500 points) #CONV1",
    marker: "CONV1",
    customerGid: "gid://shopify/Customer/8840734670934",
    startsAt: "2026-01-01T00:00:00.000Z",
    expiresAt: "2027-01-01T00:00:00.000Z",
    amount: 500,
    currency: "JPY",
  };
  const snapshot = (coupon: CouponTemplate) => ({
    rewardId: "test-rule",
    version: 1,
    name: { ja: "テスト", en: "Test" },
    coupon,
    issuedAt: issued.startsAt,
  });

  it("limits a code to the tighter of its total and per-customer limits", () => {
    expect(usageOf({ type: "fixed_discount" })).toEqual({ usageLimit: 1, appliesOncePerCustomer: true });
    expect(usageOf({ type: "fixed_discount", usageLimit: 5, limitPerCustomer: 3 })).toEqual({
      usageLimit: 3,
      appliesOncePerCustomer: false,
    });
    expect(usageOf({ type: "fixed_discount", limitPerCustomer: 1, usageLimit: 9 }).usageLimit).toBe(1);
  });

  it("puts a percentage on a collection with a minimum", () => {
    const spec = discountSpecOf(
      issued,
      snapshot({
        type: "percentage_discount",
        percentage: 15,
        minOrderValue: 4000,
        entitledCollectionIds: ["gid://shopify/Collection/9"],
      }),
    );

    expect(spec).toMatchObject({
      type: "amount_off",
      value: { kind: "percentage", percentage: 0.15 },
      minimumSubtotal: 4000,
      items: { collectionIds: ["gid://shopify/Collection/9"] },
      usageLimit: 1,
      endsAt: issued.expiresAt,
    });
  });

  it("refuses to build a Shopify discount for a custom reward", () => {
    expect(() => discountSpecOf(issued, snapshot({ type: "custom" }))).toThrow(/handed off/);
  });
});

describe("termsOf", () => {
  const now = new Date("2026-03-01T00:00:00.000Z");
  const issue = { now, shopCurrency: "JPY", defaultValidityDays: 365 };

  it("starts at the later of now and the start date, and ends at the expiry date", () => {
    const terms = termsOf(
      rule({
        type: "free_shipping",
        startDate: "2026-04-01T00:00:00.000Z",
        expiryDate: "2026-05-01T00:00:00.000Z",
      }),
      "test-rule",
      undefined,
      issue,
    );

    expect(terms).toMatchObject({
      points: 500,
      amount: 0,
      currency: "JPY",
      startsAt: "2026-04-01T00:00:00.000Z",
      expiresAt: "2026-05-01T00:00:00.000Z",
      codeSuffix: "SHIP",
      reward: { rewardId: "test-rule", version: 3, issuedAt: now.toISOString() },
    });
  });

  it("values a variable reward by its points and names the bound it misses", () => {
    const variable = rule(
      { type: "fixed_discount" },
      { cost: { kind: "variable", pointsPerUnit: 2, minPoints: 200, maxPoints: 1000 } },
    );

    expect(termsOf(variable, "test-rule", 600, issue)).toMatchObject({
      points: 600,
      amount: 300,
      codeSuffix: "300",
    });
    expect(() => termsOf(variable, "test-rule", 100, issue)).toThrow(PointsOutOfRange);
    expect(() => termsOf(variable, "test-rule", 1200, issue)).toThrow(/maxPoints/);
    expect(() => termsOf(variable, "test-rule", 301, issue)).toThrow(/steps of 2/);
  });

  it("stops offering a rule whose coupons would be born expired", () => {
    const ended = rule({ type: "fixed_discount", amount: 1, expiryDate: "2026-02-01T00:00:00.000Z" });

    expect(isRewardActive(ended, now)).toBe(false);
    expect(() => termsOf(ended, "test-rule", undefined, issue)).toThrow(/not offered/);
  });
});

describe("validityOf", () => {
  const coupon: CouponRecord = {
    code: "70934-ABCDEF-500",
    conversionId: "CONV1",
    customerId: "8840734670934",
    customerGid: "gid://shopify/Customer/8840734670934",
    discountId: "gid://shopify/DiscountCodeNode/1",
    amount: 500,
    currency: "JPY",
    pointsUsed: 500,
    type: "fixed_discount",
    status: "active",
    startsAt: "2026-01-01T00:00:00.000Z",
    expiresAt: "2026-02-01T00:00:00.000Z",
    createdAt: "2026-01-01T00:00:00.000Z",
    updatedAt: "2026-01-01T00:00:00.000Z",
  };

  it.each([
    ["2025-12-31T00:00:00.000Z", "active", "not_started"],
    ["2026-01-15T00:00:00.000Z", "active", undefined],
    ["2026-02-01T00:00:00.000Z", "active", "expired"],
    ["2026-01-15T00:00:00.000Z", "inactive", "suspended"],
  ] as const)("at %s a %s coupon -> %s", (at, status, reason) => {
    const validity = validityOf({ ...coupon, status }, new Date(at));

    expect(validity.valid).toBe(reason === undefined);
    expect(validity.reason).toBe(reason);
  });
});

describe("AuditOutboxCouponHandoff", () => {
  const coupon: CouponIssued = {
    schemaVersion: 1,
    code: "70934-ABCDEF-RWD",
    conversionId: "CONV1",
    customerId: "8840734670934",
    customerGid: "gid://shopify/Customer/8840734670934",
    rewardId: "cafe-drink",
    rewardVersion: 1,
    rewardName: { ja: "ドリンク", en: "Drink" },
    points: 600,
    amount: 0,
    currency: "JPY",
    startsAt: "2026-01-01T00:00:00.000Z",
    expiresAt: "2026-02-01T00:00:00.000Z",
    usageLimit: 1,
    coupon: { type: "custom", attributes: { item: "drink" } },
    issuedAt: "2026-01-01T00:00:00.000Z",
  };

  it("appends the event under the coupon with a fixed id, and treats a second write as done", async () => {
    // Prepare: an append-only fake that refuses a second copy, like the table's condition.
    const written: NewAuditEvent[] = [];
    const audit = {
      appendAuditEvent: async (event: NewAuditEvent): Promise<AuditEvent> => {
        if (written.some((existing) => existing.eventId === event.eventId)) {
          throw new DuplicateAuditEvent(String(event.eventId));
        }
        written.push(event);
        const { relatedSubjects: _related, ...stored } = event;
        return { ...stored, eventId: String(event.eventId), at: String(event.at) };
      },
    };
    const handoff = new AuditOutboxCouponHandoff(audit);

    // Act
    await handoff.issued(coupon);
    await handoff.issued(coupon);

    // Assess
    expect(written).toHaveLength(1);
    expect(written[0]).toMatchObject({
      subject: { type: "coupon", id: coupon.code },
      type: "loyalty.coupon.issued",
      eventId: "coupon-issued-CONV1",
      at: coupon.issuedAt,
    });
    expect(JSON.parse(String(written[0]?.data?.payload))).toEqual(coupon);
  });
});
