import { beforeEach, describe, expect, it } from "vitest";
import { demoCredentials, demoShop } from "../../infra/local/demo-data";
import { signAppProxyQuery } from "../../shared/auth/app-proxy";
import { mintCustomerSessionToken } from "../../shared/auth/mint";
import type { PointsSummary } from "../../shared/points/summary";
import { expectAlerts } from "../support/expected-logs";
import { taro, useTestStack } from "../support/local-stack";
import { readProblem } from "./problems";

/**
 * The points page of the customer account, through the local gateway, the real handler and the
 * Smaregi emulator (faults injected there).
 */
const t = await useTestStack();
const { stack } = t;

const hanako = { customerId: "8840734670935" } as const;
const jiro = { customerId: "8840734670936" } as const;

beforeEach(() => {
  stack.smaregi.control.reset();
  stack.smaregi.store.reset();
});

const summaryOf = async (response: Response): Promise<PointsSummary> => {
  const text = await response.text();
  expect(response.status, text).toBe(200);
  return JSON.parse(text) as PointsSummary;
};

const isoDate = /^\d{4}-\d{2}-\d{2}$/;

/** A token signed like Shopify's, with overrides for the ways a token goes wrong. */
const tokenFor = (customerId: string, overrides: { shopDomain?: string; now?: Date } = {}) =>
  mintCustomerSessionToken({
    customerId,
    appSecret: demoCredentials.shopifyAppSecret,
    shopDomain: overrides.shopDomain ?? demoShop.domain,
    clientId: demoCredentials.shopifyClientId,
    ttlSeconds: 300,
    ...(overrides.now ? { now: overrides.now } : {}),
  });

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

/** The query Shopify's app proxy forwards for a signed-in storefront visitor. */
const appProxyQuery = (customerId: string) =>
  signAppProxyQuery(
    {
      logged_in_customer_id: customerId,
      shop: demoShop.domain,
      path_prefix: "/apps/loyalty",
      timestamp: String(Math.floor(Date.now() / 1000)),
    },
    demoCredentials.shopifyAppSecret,
  );

describe("GET /v1/me/points", () => {
  it("shows Taro his balance, expiry and rank in Japanese by default", async () => {
    // Act
    const response = await t.api("/v1/me/points", { customerId: taro.customerId });

    // Assess
    const summary = await summaryOf(response);
    expect(response.headers.get("content-language")).toBe("ja");
    expect(summary).toMatchObject({ customerId: taro.customerId, balance: 1250, rank: "Gold" });
    expect(summary.expiresOn).toMatch(isoDate);
    const [year, month, day] = String(summary.expiresOn).split("-").map(Number);
    expect(summary.display).toEqual({
      balance: "1,250",
      rank: "ゴールド会員",
      expiresOn: `${year}年${month}月${day}日`,
    });
  });

  it("speaks English when the browser asks for it", async () => {
    // Act
    const response = await t.api("/v1/me/points", {
      customerId: taro.customerId,
      headers: { "accept-language": "en-US,en;q=0.9,ja;q=0.5" },
    });

    // Assess
    const summary = await summaryOf(response);
    expect(response.headers.get("content-language")).toBe("en");
    expect(summary.display.balance).toBe("1,250");
    expect(summary.display.rank).toBe("Gold Member");
    expect(summary.display.expiresOn).toMatch(/^[A-Z][a-z]+ \d{1,2}, \d{4}$/);
    const expected = new Intl.DateTimeFormat("en-US", {
      year: "numeric",
      month: "long",
      day: "numeric",
      timeZone: "UTC",
    }).format(new Date(`${summary.expiresOn}T00:00:00Z`));
    expect(summary.display.expiresOn).toBe(expected);
    expect(summary.history?.[0]?.description).toBe("Points earned on a purchase");
  });

  it("lists the history newest first, with dates and signed points", async () => {
    // Prepare: Taro used 250 points at the till today.
    stack.smaregi.store.addPoints(taro.posCustomerId, -250);

    // Act
    const summary = await summaryOf(await t.api("/v1/me/points", { customerId: taro.customerId }));

    // Assess
    expect(summary.balance).toBe(1000);
    const history = summary.history ?? [];
    // The demo history within the last 30 days, after today's use of points.
    expect(history.map(({ points, kind }) => ({ points, kind }))).toEqual([
      { points: -250, kind: "used" },
      { points: 150, kind: "purchase" },
      { points: 400, kind: "purchase" },
      { points: 500, kind: "added" },
    ]);
    for (const entry of history) {
      expect(entry.date).toMatch(isoDate);
      expect(entry.description).toEqual(expect.any(String));
    }
    const dates = history.map((entry) => entry.date);
    expect(dates).toEqual([...dates].sort().reverse());
    expect(history[0]?.description).toBe("ポイント利用");
  });

  it("shows Hanako a zero balance and her own history only", async () => {
    // Act
    const summary = await summaryOf(await t.api("/v1/me/points", { customerId: hanako.customerId }));

    // Assess: Taro's purchases of the same weeks are not hers
    expect(summary.balance).toBe(0);
    expect(summary.display.balance).toBe("0");
    expect(summary.history?.map(({ points, kind }) => ({ points, kind }))).toEqual([
      { points: -300, kind: "used" },
      { points: 300, kind: "purchase" },
    ]);
  });

  it("tells Jiro he is not registered at the store", async () => {
    // Act
    const response = await t.api("/v1/me/points", { customerId: jiro.customerId });

    // Assess
    const problem = await readProblem(response, { status: 404, code: "not_registered" });
    expect(problem.title).toMatch(/not registered/i);
    expect(problem.detail).toMatch(/member/i);
  });
});

describe("GET /v1/customers/{customerId}/points", () => {
  it("answers Taro about his own points", async () => {
    // Act
    const response = await t.api(`/v1/customers/${taro.customerId}/points`, { customerId: taro.customerId });

    // Assess
    expect((await summaryOf(response)).balance).toBe(1250);
  });

  it("takes a percent-encoded gid, decoded once", async () => {
    const gid = encodeURIComponent(`gid://shopify/Customer/${taro.customerId}`);

    const response = await t.api(`/v1/customers/${gid}/points`, { customerId: taro.customerId });

    expect((await summaryOf(response)).balance).toBe(1250);
  });

  it("decodes the path once: '%2537' is the text '%37', not the id 7", async () => {
    const response = await t.api("/v1/customers/%2537/points", { customerId: taro.customerId });

    await readProblem(response, { status: 400, code: "invalid_customer_id" });
  });

  it("refuses to show Taro's points to Hanako", async () => {
    // Act
    const response = await t.api(`/v1/customers/${taro.customerId}/points`, {
      customerId: hanako.customerId,
    });

    // Assess
    const problem = await readProblem(response, { status: 403, code: "forbidden" });
    expect(problem.detail).toMatch(/your own points/);
  });
});

describe("signing in", () => {
  it("asks the front end to sign in again when no credentials come", async () => {
    // Act
    const response = await t.api("/v1/me/points");

    // Assess
    const problem = await readProblem(response, { status: 401, code: "unauthenticated" });
    expect(`${problem.title} ${problem.detail}`).toMatch(/sign in/i);
  });

  it("refuses an expired session token without echoing it", async () => {
    // Prepare
    const token = await tokenFor(taro.customerId, { now: new Date(Date.now() - 60 * 60 * 1000) });

    // Act
    const response = await t.api("/v1/me/points", { headers: bearer(token) });

    // Assess
    const problem = await readProblem(response, { status: 401, code: "unauthenticated" }, [token]);
    expect(problem.detail).toMatch(/expired/);
  });

  it("refuses a session token issued for another shop", async () => {
    // Prepare
    const token = await tokenFor(taro.customerId, { shopDomain: "another-shop.myshopify.com" });

    // Act
    const response = await t.api("/v1/me/points", { headers: bearer(token) });

    // Assess
    const problem = await readProblem(response, { status: 401, code: "unauthenticated" }, [token]);
    expect(problem.detail).toMatch(/another shop/);
  });

  it("refuses a token with a forged signature without echoing it", async () => {
    // Prepare
    const token = await tokenFor(taro.customerId);
    const forged = `${token.slice(0, token.lastIndexOf(".") + 1)}${"A".repeat(43)}`;

    // Act
    const response = await t.api("/v1/me/points", { headers: bearer(forged) });

    // Assess
    await readProblem(response, { status: 401, code: "unauthenticated" }, [forged, token]);
  });

  it("serves a theme page that comes through Shopify's app proxy", async () => {
    // Act
    const response = await fetch(`${stack.urls.api}/v1/me/points?${appProxyQuery(taro.customerId)}`);

    // Assess
    const summary = await summaryOf(response);
    expect(summary).toMatchObject({ customerId: taro.customerId, balance: 1250 });
  });

  it("refuses an app proxy request whose customer was changed after signing", async () => {
    // Prepare: the signature covers Taro; the visitor swaps in Hanako.
    const tampered = appProxyQuery(taro.customerId).replace(
      `logged_in_customer_id=${taro.customerId}`,
      `logged_in_customer_id=${hanako.customerId}`,
    );

    // Act
    const response = await fetch(`${stack.urls.api}/v1/me/points?${tampered}`);

    // Assess
    const problem = await readProblem(response, { status: 401, code: "unauthenticated" });
    expect(problem.detail).toMatch(/signature/);
  });

  it("refuses an app proxy request with an altered signature", async () => {
    // Prepare
    const query = appProxyQuery(taro.customerId);
    const signature = /signature=([0-9a-f]+)/.exec(query)?.[1] ?? "";
    expect(signature).toMatch(/^[0-9a-f]{64}$/);
    const altered = query.replace(
      signature,
      `${signature.slice(0, -1)}${signature.endsWith("0") ? "1" : "0"}`,
    );

    // Act
    const response = await fetch(`${stack.urls.api}/v1/me/points?${altered}`);

    // Assess
    await readProblem(response, { status: 401, code: "unauthenticated" });
  });
});

describe("when the POS misbehaves", () => {
  it("says the points are unavailable for now, and when to retry, while the POS is down", async () => {
    // Prepare
    stack.smaregi.control.setFaults([{ operation: "getPoints", kind: "http503" }]);
    const alerts = expectAlerts("pos_unavailable");

    // Act
    const response = await t.api("/v1/me/points", { customerId: taro.customerId });

    // Assess
    expect(alerts.lines).toHaveLength(1);
    expect(Number(response.headers.get("retry-after"))).toBeGreaterThan(0);
    await readProblem(response, { status: 503, code: "pos_unavailable" }, [
      await t.tokenFor(taro.customerId),
    ]);
  });

  it("says the POS did not answer in time when it is too slow", async () => {
    // Prepare
    stack.smaregi.control.setFaults([{ operation: "getPoints", kind: "timeout" }]);
    const startedAt = performance.now();

    // Act
    const response = await t.api("/v1/me/points", { customerId: taro.customerId });

    // Assess: the lookup gives up within its read budget (2.5 x 400 ms), not the function's 10 s.
    await readProblem(response, { status: 504, code: "pos_timeout" });
    expect(performance.now() - startedAt).toBeLessThan(3000);
  });

  it("still shows the balance when only the history cannot be read", async () => {
    // Prepare
    stack.smaregi.control.setFaults([{ operation: "listTransactions", kind: "http503" }]);

    // Act
    const summary = await summaryOf(await t.api("/v1/me/points", { customerId: taro.customerId }));

    // Assess
    expect(summary).toMatchObject({ balance: 1250, rank: "Gold", history: null });
    expect(summary.display.balance).toBe("1,250");
  });
});

describe("cost of a page view", () => {
  it("does not look the member up again on the next visit", async () => {
    // Prepare: the first visit may have to find Taro's member record.
    await summaryOf(await t.api("/v1/me/points", { customerId: taro.customerId }));
    const before = stack.smaregi.control.snapshot().calls;

    // Act
    await summaryOf(await t.api("/v1/me/points", { customerId: taro.customerId }));

    // Assess
    const after = stack.smaregi.control.snapshot().calls;
    expect(after.listCustomers ?? 0).toBe(before.listCustomers ?? 0);
    expect((after.getPoints ?? 0) - (before.getPoints ?? 0)).toBe(1);
  });
});
