import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { z } from "zod";
import { demoShop } from "../../infra/local/demo-data";
import { type RunningShopifyEmulator, startShopifyEmulator } from "../../infra/local/shopify";
import { ShopifyAdminAccessToken } from "../../shared/adapters/shopify/access-token";
import { ShopifyRejected, ShopifyUnavailable } from "../../shared/errors";
import type { AmountOffSpec } from "../../shared/shopify";
import { clientFor, control, TARO } from "./helpers";

const couponRecord = z.object({ coupons: z.array(z.object({ code: z.string() })) });
type CouponRecord = z.infer<typeof couponRecord>;

function coupon(conversionId: string, overrides: Partial<AmountOffSpec> = {}): AmountOffSpec {
  return {
    code: `70934-${conversionId}-500`,
    title: `Points coupon 500 JPY (conversion ${conversionId})`,
    marker: conversionId,
    customerGid: TARO,
    value: { kind: "fixed_amount", amount: 500, currency: "JPY" },
    startsAt: "2026-11-22T00:00:00Z",
    endsAt: "2099-11-22T00:00:00Z",
    usageLimit: 1,
    appliesOncePerCustomer: true,
    ...overrides,
  };
}

describe("ShopifyAdminClient against the emulator", () => {
  let shopify: RunningShopifyEmulator;

  beforeAll(async () => {
    // A small bucket that refills fast keeps the throttling tests short.
    shopify = await startShopifyEmulator({ port: 0, bucket: { maximumAvailable: 200, restoreRate: 200 } });
  });
  afterAll(async () => {
    await shopify.close();
  });
  beforeEach(async () => {
    await control(shopify, "POST", "/reset");
  });

  describe("discount codes", () => {
    it("creates a single-use code for one customer and finds it by code", async () => {
      const shop = clientFor(shopify);

      const created = await shop.createDiscountCode(coupon("AB12CD"));
      const found = await shop.findDiscountByCode("70934-ab12cd-500");

      expect(created).toEqual({
        discountId: expect.stringMatching(/^gid:\/\/shopify\/DiscountCodeNode\/\d+$/),
        code: "70934-AB12CD-500",
        status: "ACTIVE",
        adopted: false,
      });
      expect(found).toEqual({
        discountId: created.discountId,
        type: "DiscountCodeBasic",
        code: "70934-AB12CD-500",
        title: "Points coupon 500 JPY (conversion AB12CD)",
        status: "ACTIVE",
        startsAt: "2026-11-22T00:00:00Z",
        endsAt: "2099-11-22T00:00:00Z",
        asyncUsageCount: 0,
        usageLimit: 1,
        customerGids: [TARO],
        appliesToAllCustomers: false,
      });
    });

    it("adopts its own code when a retried create meets TAKEN", async () => {
      const shop = clientFor(shopify);
      const first = await shop.createDiscountCode(coupon("RETRY1"));

      const retried = await shop.createDiscountCode(coupon("RETRY1"));

      expect(retried).toEqual({ ...first, adopted: true });
    });

    it("refuses a taken code that belongs to another conversion", async () => {
      const shop = clientFor(shopify);
      await shop.createDiscountCode(coupon("OWNER1"));

      const clash = shop.createDiscountCode(coupon("OTHER1", { code: "70934-OWNER1-500" }));

      await expect(clash).rejects.toBeInstanceOf(ShopifyRejected);
      await expect(clash).rejects.toMatchObject({ userErrors: [expect.objectContaining({ code: "TAKEN" })] });
    });

    it("surfaces a create whose answer was lost as unavailable, and the retry adopts the code", async () => {
      const shop = clientFor(shopify, { timeoutMs: 200 });
      await control(shopify, "PUT", "/faults", [
        { operation: "discountCodeBasicCreate", kind: "commit-then-timeout", count: 1 },
      ]);

      await expect(shop.createDiscountCode(coupon("LOST01"))).rejects.toBeInstanceOf(ShopifyUnavailable);
      const retried = await shop.createDiscountCode(coupon("LOST01"));

      expect(retried).toMatchObject({ adopted: true, status: "ACTIVE" });
    });

    it("rejects invalid input with Shopify's userErrors", async () => {
      const shop = clientFor(shopify);

      const tooMuch = shop.createDiscountCode(
        coupon("PCT001", { value: { kind: "percentage", percentage: 10 } }),
      );

      await expect(tooMuch).rejects.toMatchObject({
        name: "ShopifyRejected",
        userErrors: [expect.objectContaining({ code: "VALUE_OUTSIDE_RANGE" })],
      });
    });

    it("refuses a fixed amount in another currency than the shop's and leaves nothing behind", async () => {
      const shop = clientFor(shopify);

      const usd = shop.createDiscountCode(
        coupon("USD001", { value: { kind: "fixed_amount", amount: 5, currency: "USD" } }),
      );

      await expect(usd).rejects.toMatchObject({
        userErrors: [expect.objectContaining({ code: "CURRENCY_MISMATCH" })],
      });
      expect(await shop.findDiscountByCode("70934-USD001-500")).toBeNull();
    });

    it("creates free-shipping and buy-x-get-y codes", async () => {
      const shop = clientFor(shopify);
      const base = coupon("SHIP01");

      const shipping = await shop.createDiscountCode({
        ...base,
        type: "free_shipping",
        maximumShippingPrice: 800,
      });
      const bxgy = await shop.createDiscountCode({
        ...coupon("BXGY01"),
        type: "buy_x_get_y",
        buys: { quantity: 2, items: { productIds: ["gid://shopify/Product/11"] } },
        gets: { quantity: 1, items: { productIds: ["gid://shopify/Product/12"] } },
      });

      expect(shipping.status).toBe("ACTIVE");
      expect(bxgy.status).toBe("ACTIVE");
    });

    it("deactivates a code, which stays reserved, and reinstates it with its planned end date", async () => {
      const shop = clientFor(shopify);
      const { discountId } = await shop.createDiscountCode(coupon("CANCEL"));

      const deactivated = await shop.deactivateDiscount(discountId);
      const stillThere = await shop.findDiscountByCode("70934-CANCEL-500");
      const retried = await shop.createDiscountCode(coupon("CANCEL"));
      const reinstated = await shop.reinstateDiscount(deactivated, {
        startsAt: "2026-11-22T00:00:00Z",
        endsAt: "2099-11-22T00:00:00Z",
      });

      expect(deactivated.status).toBe("EXPIRED");
      expect(stillThere?.status).toBe("EXPIRED");
      expect(retried).toMatchObject({ discountId, adopted: true, status: "EXPIRED" });
      expect(reinstated).toMatchObject({ status: "ACTIVE", endsAt: "2099-11-22T00:00:00Z" });
      expect(await shop.findDiscountByCode("70934-CANCEL-500")).toMatchObject({
        endsAt: "2099-11-22T00:00:00Z",
      });
    });

    it.each([
      ["a fixed amount", "DiscountCodeBasic", {}],
      ["free shipping", "DiscountCodeFreeShipping", { type: "free_shipping" }],
      [
        "buy X get Y",
        "DiscountCodeBxgy",
        {
          type: "buy_x_get_y",
          buys: { quantity: 2, items: { productIds: ["gid://shopify/Product/11"] } },
          gets: { quantity: 1, items: { productIds: ["gid://shopify/Product/12"] } },
        },
      ],
    ])("reinstates a scheduled %s code with its planned start and end", async (_kind, type, overrides) => {
      // Prepare: a code that starts tomorrow, deactivated today (Shopify then starts it today too)
      const shop = clientFor(shopify);
      const startsAt = new Date(Date.now() + 86_400_000).toISOString().replace(/\.\d{3}Z$/, "Z");
      const spec = { ...coupon(`SCHED${type.length}`), startsAt, ...overrides } as Parameters<
        typeof shop.createDiscountCode
      >[0];
      const { discountId } = await shop.createDiscountCode(spec);
      const deactivated = await shop.deactivateDiscount(discountId);
      expect(Date.parse(deactivated.startsAt)).toBeLessThan(Date.parse(startsAt));

      // Act
      const reinstated = await shop.reinstateDiscount(deactivated, {
        startsAt,
        endsAt: "2099-11-22T00:00:00Z",
      });

      // Assess
      expect(reinstated).toMatchObject({
        type,
        status: "SCHEDULED",
        startsAt,
        endsAt: "2099-11-22T00:00:00Z",
      });
    });

    it("deletes the code of a conversion only when the marker matches, and deleting twice is fine", async () => {
      const shop = clientFor(shopify);
      const { discountId } = await shop.createDiscountCode(coupon("COMP01"));

      const wrongMarker = await shop.deleteDiscountByCode("70934-COMP01-500", "SOMEONE-ELSE");
      const deleted = await shop.deleteDiscountByCode("70934-COMP01-500", "COMP01");
      const again = await shop.deleteDiscountByCode("70934-COMP01-500", "COMP01");
      await shop.deleteDiscount(discountId);

      expect([wrongMarker, deleted, again]).toEqual([false, true, false]);
      expect(await shop.findDiscountByCode("70934-COMP01-500")).toBeNull();
    });
  });

  describe("customers and metafields", () => {
    it("reads a customer, and null for an unknown one", async () => {
      const shop = clientFor(shopify);

      expect(await shop.getCustomer(TARO)).toEqual({
        id: TARO,
        email: "taro.yamada@example.com",
        firstName: "Taro",
        lastName: "Yamada",
        displayName: "Taro Yamada",
        locale: "ja",
      });
      expect(await shop.getCustomer("gid://shopify/Customer/1")).toBeNull();
    });

    it("loses no update when ten writers append to the same record at once", async () => {
      const shop = clientFor(shopify, { metafieldWriteAttempts: 20 });
      const append = (code: string) => (current: CouponRecord | null) => ({
        coupons: [...(current?.coupons ?? []), { code }],
      });

      await Promise.all(
        Array.from({ length: 10 }, (_, i) =>
          shop.updateJsonMetafield(TARO, "$app:loyalty", "coupons", append(`C${i}`), couponRecord),
        ),
      );
      const record = await shop.readJsonMetafield(TARO, "$app:loyalty", "coupons", couponRecord);

      expect(record?.coupons.map((entry) => entry.code).sort()).toEqual(
        Array.from({ length: 10 }, (_, i) => `C${i}`),
      );
    });

    it("reads null before the first write and the written value after", async () => {
      const shop = clientFor(shopify);

      const before = await shop.readJsonMetafield(TARO, "$app:loyalty", "coupons", couponRecord);
      const written = await shop.updateJsonMetafield(
        TARO,
        "$app:loyalty",
        "coupons",
        () => ({ coupons: [] }),
        couponRecord,
      );
      const after = await shop.readJsonMetafield(TARO, "$app:loyalty", "coupons", couponRecord);

      expect(before).toBeNull();
      expect(after).toEqual(written);
    });
  });

  describe("when Shopify is slow, failing or throttling", () => {
    it("waits out THROTTLED and then succeeds", async () => {
      const shop = clientFor(shopify);
      await control(shopify, "PUT", "/bucket", { currentlyAvailable: 0 });
      const started = Date.now();

      const created = await shop.createDiscountCode(coupon("WAIT01"));

      expect(created.status).toBe("ACTIVE");
      // 20 points at 200 points/s: about 100 ms.
      expect(Date.now() - started).toBeGreaterThanOrEqual(90);
    });

    it("gives up as unavailable when the wait would exceed its budget, having created nothing", async () => {
      const shop = clientFor(shopify, { maxThrottleWaitMs: 20 });
      await control(shopify, "PUT", "/bucket", { currentlyAvailable: 0 });

      await expect(shop.createDiscountCode(coupon("WAIT02"))).rejects.toBeInstanceOf(ShopifyUnavailable);
      const discounts = await control(shopify, "GET", "/discounts");
      expect(discounts.body).toEqual({ discounts: [] });
    });

    it("reports a 503 as unavailable", async () => {
      const shop = clientFor(shopify);
      await control(shopify, "PUT", "/faults", [{ operation: "customer", kind: "http503", count: 1 }]);

      await expect(shop.getCustomer(TARO)).rejects.toBeInstanceOf(ShopifyUnavailable);
    });

    it("reports a request that does not answer in time as unavailable", async () => {
      const shop = clientFor(shopify, { timeoutMs: 150 });
      await control(shopify, "PUT", "/faults", [{ operation: "metafieldsSet", kind: "timeout", count: 1 }]);

      const write = shop.updateJsonMetafield(
        TARO,
        "$app:loyalty",
        "coupons",
        () => ({ coupons: [] }),
        couponRecord,
      );

      await expect(write).rejects.toBeInstanceOf(ShopifyUnavailable);
    });

    it("reports a refused access token as rejected, not as worth retrying", async () => {
      const shop = clientFor(shopify, {
        accessToken: new ShopifyAdminAccessToken({
          shopDomain: demoShop.domain,
          secret: async () => "shpat_revoked",
        }),
      });

      await expect(shop.getCustomer(TARO)).rejects.toBeInstanceOf(ShopifyRejected);
    });

    it("reports an unreachable shop as unavailable", async () => {
      const shop = clientFor(shopify, { adminUrl: "http://127.0.0.1:9" });

      await expect(shop.getCustomer(TARO)).rejects.toBeInstanceOf(ShopifyUnavailable);
    });
  });
});
