import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { demoCredentials, demoShop } from "../../infra/local/demo-data";
import { type RunningShopifyEmulator, startShopifyEmulator } from "../../infra/local/shopify";
import { parseAdminCredentials, ShopifyAdminAccessToken } from "../../shared/adapters/shopify/access-token";
import { ShopifyRejected } from "../../shared/errors";
import { clientFor, TARO } from "./helpers";

/**
 * The Admin API token of a Dev Dashboard app: the client-credentials grant against the emulator,
 * whose tokens expire like Shopify's (about a day there, seconds or on demand here).
 */
let shopify: RunningShopifyEmulator;

beforeAll(async () => {
  shopify = await startShopifyEmulator({ port: 0 });
});

afterAll(async () => {
  await shopify.close();
});

beforeEach(() => {
  shopify.tokens.reset();
});

const appCredentials = JSON.stringify({
  clientId: demoCredentials.shopifyClientId,
  clientSecret: demoCredentials.shopifyAppSecret,
});

function tokenSource(secret = appCredentials, now?: () => number) {
  return new ShopifyAdminAccessToken({
    shopDomain: demoShop.domain,
    adminUrl: shopify.url,
    secret: async () => secret,
    ...(now ? { now } : {}),
  });
}

describe("the client-credentials grant", () => {
  it("gets a token once and shares it between concurrent and later calls", async () => {
    // Prepare
    const shop = clientFor(shopify, { accessToken: tokenSource() });

    // Act
    const customers = await Promise.all([1, 2, 3, 4, 5].map(() => shop.getCustomer(TARO)));
    await shop.getCustomer(TARO);

    // Assess
    expect(customers.every((customer) => customer?.id === TARO)).toBe(true);
    expect(shopify.tokens.issuedCount).toBe(1);
  });

  it("keeps working the next day: an expired token is replaced after Shopify's 401, once", async () => {
    // Prepare: a token in use, then the day passes
    const shop = clientFor(shopify, { accessToken: tokenSource() });
    await shop.getCustomer(TARO);
    shopify.tokens.expireAll();

    // Act
    const customer = await shop.getCustomer(TARO);

    // Assess
    expect(customer?.id).toBe(TARO);
    expect(shopify.tokens.issuedCount).toBe(2);
  });

  it("renews a token shortly before it expires, without a 401", async () => {
    // Prepare: tokens that live 100 s; the client's clock is ours to move
    shopify.tokens.setLifetime(100);
    let nowMs = Date.now();
    const source = tokenSource(appCredentials, () => nowMs);

    // Act
    const first = await source.current();
    nowMs += 85_000;
    const beforeMargin = await source.current();
    nowMs += 6_000;
    const withinMargin = await source.current();

    // Assess: a tenth of the lifetime before expiry, a new token is fetched
    expect(beforeMargin).toBe(first);
    expect(withinMargin).not.toBe(first);
    expect(shopify.tokens.issuedCount).toBe(2);
  });

  it("works through tokens that expire during a run", async () => {
    // Prepare: one-second tokens
    shopify.tokens.setLifetime(1);
    const shop = clientFor(shopify, { accessToken: tokenSource() });

    // Act
    for (let call = 0; call < 3; call++) {
      expect((await shop.getCustomer(TARO))?.id).toBe(TARO);
      await new Promise((resolve) => setTimeout(resolve, 600));
    }

    // Assess
    expect(shopify.tokens.issuedCount).toBeGreaterThanOrEqual(2);
  });

  it("says which credentials Shopify refused, as rejected rather than worth retrying", async () => {
    const shop = clientFor(shopify, {
      accessToken: tokenSource(
        JSON.stringify({ clientId: demoCredentials.shopifyClientId, clientSecret: "wrong" }),
      ),
    });

    const call = shop.getCustomer(TARO);

    await expect(call).rejects.toBeInstanceOf(ShopifyRejected);
    await expect(call).rejects.toThrow(/client id and secret/);
  });

  it("gives up after one renewal when Shopify keeps answering 401", async () => {
    const shop = clientFor(shopify, {
      accessToken: new ShopifyAdminAccessToken({
        shopDomain: demoShop.domain,
        secret: async () => "shpat_revoked",
      }),
    });

    await expect(shop.getCustomer(TARO)).rejects.toBeInstanceOf(ShopifyRejected);
  });
});

describe("the stage secret", () => {
  it.each([
    [
      appCredentials,
      { clientId: demoCredentials.shopifyClientId, clientSecret: demoCredentials.shopifyAppSecret },
    ],
    ['{"accessToken": "shpat_old_custom_app"}', { accessToken: "shpat_old_custom_app" }],
    ["shpat_old_custom_app\n", { accessToken: "shpat_old_custom_app" }],
  ])("reads %j", (secret, expected) => {
    expect(parseAdminCredentials(secret)).toEqual(expected);
  });

  it.each([
    ['{"clientId": "abc"}', /clientSecret/],
    ['{"clientId": "abc", "clientSecret": "def", "accessToken": "shpat_x"}', /clientSecret/],
    ["{not json", /not valid JSON/],
    ["  ", /empty/],
  ])("refuses %j with a message that says what it must hold", (secret, message) => {
    expect(() => parseAdminCredentials(secret)).toThrow(message);
  });

  it("serves an old custom app's static token as is", async () => {
    const shop = clientFor(shopify, {
      accessToken: tokenSource(JSON.stringify({ accessToken: demoCredentials.shopifyAdminToken })),
    });

    expect((await shop.getCustomer(TARO))?.id).toBe(TARO);
    expect(shopify.tokens.issuedCount).toBe(0);
  });
});
