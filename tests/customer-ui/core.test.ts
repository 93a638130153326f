import { describe, expect, it, vi } from "vitest";
import {
  ApiProblem,
  amountProblem,
  type ConversionAnswer,
  couponFacts,
  createLoyaltyApi,
  createPointsScreen,
  formatInstantDate,
  formatPoints,
  formatShopDate,
  formatSignedPoints,
  type LoyaltyApi,
  localeFrom,
  maxConvertible,
  refusalText,
  type ScreenState,
  t,
} from "../../customer-ui/core";
import { catalog, completed, coupons, ok, pending, problem, taroPoints } from "./fixtures";

/** A fetch that answers by path and records what it was asked. */
function fakeFetch(routes: Record<string, () => Response>) {
  const calls: Array<{ url: string; init: RequestInit }> = [];
  const fetch = vi.fn(async (input: string | URL | Request, init: RequestInit = {}) => {
    const url = String(input);
    calls.push({ url, init });
    const path = new URL(url, "https://shop.example").pathname;
    const method = (init.method ?? "GET").toUpperCase();
    const answer = routes[`${method} ${path}`] ?? routes[path];
    if (!answer) throw new TypeError(`no route for ${method} ${path}`);
    return answer();
  });
  return { fetch: fetch as unknown as typeof globalThis.fetch, calls };
}

const noSleep = () => Promise.resolve();

describe("the API client", () => {
  it("asks Shopify for a fresh session token before each call and sends it as a bearer token", async () => {
    // Prepare
    let issued = 0;
    const getToken = vi.fn(async () => `token-${++issued}`);
    const { fetch, calls } = fakeFetch({ "/v1/me/points": () => ok(taroPoints()) });
    const api = createLoyaltyApi({
      baseUrl: "https://api.example/",
      auth: { kind: "session-token", getToken },
      locale: "en",
      fetch,
    });

    // Act
    await api.points();
    await api.points();

    // Assess
    expect(getToken).toHaveBeenCalledTimes(2);
    expect(calls.map((call) => new Headers(call.init.headers).get("authorization"))).toEqual([
      "Bearer token-1",
      "Bearer token-2",
    ]);
    expect(calls[0]?.url).toBe("https://api.example/v1/me/points");
    expect(new Headers(calls[0]?.init.headers).get("accept-language")).toBe("en");
  });

  it("goes through the app proxy with no credentials of its own", async () => {
    // Prepare
    const { fetch, calls } = fakeFetch({ "/apps/loyalty/v1/me/coupons": () => ok(coupons()) });
    const api = createLoyaltyApi({
      baseUrl: "/apps/loyalty",
      auth: { kind: "app-proxy" },
      locale: "ja",
      fetch,
    });

    // Act
    const page = await api.coupons(5);

    // Assess
    expect(page.coupons[0]?.code).toBe("70934-OLD111-300");
    expect(calls[0]?.url).toBe("/apps/loyalty/v1/me/coupons?limit=5");
    expect(new Headers(calls[0]?.init.headers).has("authorization")).toBe(false);
    expect(calls[0]?.init.credentials).toBe("same-origin");
  });

  it("posts a conversion with its idempotency key and reads a 202 with Retry-After", async () => {
    // Prepare
    const { fetch, calls } = fakeFetch({
      "POST /v1/me/conversions": () => ok(pending(), 202, { "retry-after": "2" }),
    });
    const api = createLoyaltyApi({ baseUrl: "", auth: { kind: "app-proxy" }, locale: "en", fetch });

    // Act
    const answer = await api.convert({ points: 500 }, "key-1");

    // Assess
    expect(answer).toMatchObject({ status: 202, retryAfterSeconds: 2, view: { status: "pending" } });
    const headers = new Headers(calls[0]?.init.headers);
    expect(headers.get("idempotency-key")).toBe("key-1");
    expect(calls[0]?.init.body).toBe('{"points":500}');
  });

  it("turns problem+json, bare gateway errors and network failures into ApiProblem", async () => {
    // Prepare
    const { fetch } = fakeFetch({
      "/v1/me/points": () =>
        problem(422, "insufficient_points", "You have 100 points", { "retry-after": "5" }),
      "/v1/rewards": () => new Response("Service Unavailable", { status: 503 }),
    });
    const api = createLoyaltyApi({ baseUrl: "", auth: { kind: "app-proxy" }, locale: "en", fetch });
    const offline = createLoyaltyApi({
      baseUrl: "",
      auth: { kind: "session-token", getToken: () => Promise.reject(new Error("signed out")) },
      locale: "en",
      fetch,
    });

    // Act + Assess
    await expect(api.points()).rejects.toMatchObject({
      status: 422,
      code: "insufficient_points",
      message: "You have 100 points",
      retryAfterSeconds: 5,
    });
    await expect(api.rewards()).rejects.toMatchObject({ status: 503, code: "unavailable" });
    await expect(api.coupons()).rejects.toMatchObject({ status: 0, code: "network_error" });
    await expect(offline.points()).rejects.toMatchObject({ status: 401, code: "unauthenticated" });
  });
});

/** A fake API whose answers each test sets. */
function fakeApi(overrides: Partial<LoyaltyApi> = {}): LoyaltyApi {
  return {
    points: vi.fn(async () => taroPoints()),
    rewards: vi.fn(async () => catalog()),
    coupons: vi.fn(async () => coupons()),
    convert: vi.fn(async () => ({ status: 201 as const, view: completed() })),
    conversion: vi.fn(async () => completed()),
    ...overrides,
  };
}

describe("the points screen", () => {
  it("starts loading and shows balance, rewards and coupons when all answer", async () => {
    // Prepare
    const screen = createPointsScreen({ api: fakeApi() });
    const seen: string[] = [];
    screen.subscribe((state) => seen.push(state.kind));

    // Act
    expect(screen.state.kind).toBe("loading");
    await screen.load();

    // Assess
    // The balance first, then rewards and coupons behind it.
    expect(seen).toEqual(["ready", "ready"]);
    const state = screen.state as Extract<ScreenState, { kind: "ready" }>;
    expect(state.points.balance).toBe(1250);
    expect(state.rewards.kind).toBe("loaded");
    expect(state.coupons.kind).toBe("loaded");
  });

  it("keeps the coupons when the POS is down, and comes back on Reload once it answers", async () => {
    // Prepare
    let posDown = true;
    const api = fakeApi({
      points: vi.fn(async () => {
        if (posDown) throw problemError(503, "pos_unavailable");
        return taroPoints();
      }),
      rewards: vi.fn(async () => {
        if (posDown) throw problemError(504, "pos_timeout");
        return catalog();
      }),
    });
    const screen = createPointsScreen({ api });
    const seen: Array<string> = [];
    screen.subscribe((state) =>
      seen.push(state.kind === "pos_unavailable" ? `pos_unavailable:${state.reloading}` : state.kind),
    );

    // Act
    await screen.load();
    const down = screen.state;
    posDown = false;
    await screen.reload();

    // Assess
    expect(down).toMatchObject({ kind: "pos_unavailable", coupons: { kind: "loaded" } });
    expect(seen).toEqual(["pos_unavailable:false", "pos_unavailable:true", "ready", "ready"]);
  });

  it("says 'not registered' for a customer without a store membership, and 'signed out' on 401", async () => {
    // Prepare
    const jiro = createPointsScreen({
      api: fakeApi({ points: vi.fn(async () => Promise.reject(problemError(404, "not_registered"))) }),
    });
    const expired = createPointsScreen({
      api: fakeApi({
        points: vi.fn(async () => Promise.reject(problemError(401, "unauthenticated"))),
        coupons: vi.fn(async () => Promise.reject(problemError(401, "unauthenticated"))),
      }),
    });

    // Act
    await jiro.load();
    await expired.load();

    // Assess
    expect(jiro.state.kind).toBe("not_registered");
    expect(expired.state.kind).toBe("signed_out");
  });

  it("shows the coupon and the new balance after a 201", async () => {
    // Prepare
    const api = fakeApi();
    const screen = createPointsScreen({ api, newIdempotencyKey: () => "key-42" });
    await screen.load();
    const balances: number[] = [];
    screen.subscribe((state) => {
      if (state.kind === "ready") balances.push(state.points.balance);
    });
    vi.mocked(api.points).mockResolvedValue(taroPoints({ balance: 750 }));

    // Act
    await screen.convert({ points: 500 });

    // Assess
    expect(api.convert).toHaveBeenCalledWith({ points: 500 }, "key-42");
    expect(screen.state).toMatchObject({
      kind: "ready",
      points: { balance: 750 },
      conversion: { kind: "result", view: { coupon: { code: "70934-AB12CD-500" } } },
    });
    expect(balances[0]).toBe(1250); // converting
    expect(balances.at(-1)).toBe(750);
  });

  it("polls a 202 until the conversion completes", async () => {
    // Prepare
    const api = fakeApi({
      convert: vi.fn(async () => ({ status: 202 as const, view: pending(), retryAfterSeconds: 2 })),
      conversion: vi.fn().mockResolvedValueOnce(pending()).mockResolvedValueOnce(completed()),
    });
    const sleeps: number[] = [];
    const screen = createPointsScreen({
      api,
      sleep: async (ms) => {
        sleeps.push(ms);
      },
      pollIntervalMs: 1000,
    });
    await screen.load();
    const kinds: string[] = [];
    screen.subscribe((state) => {
      if (state.kind === "ready") kinds.push(state.conversion.kind);
    });

    // Act
    await screen.convert({ points: 500 });

    // Assess
    expect(sleeps).toEqual([2000, 1000]);
    expect(kinds).toContain("pending");
    expect(screen.state).toMatchObject({ conversion: { kind: "result" } });
  });

  it("stops polling after the limit and says the coupon will appear under My coupons", async () => {
    // Prepare
    const api = fakeApi({
      convert: vi.fn(async () => ({ status: 202 as const, view: pending() })),
      conversion: vi.fn(async () => pending()),
    });
    const screen = createPointsScreen({ api, sleep: noSleep, maxPolls: 3 });
    await screen.load();

    // Act
    await screen.convert({ points: 500 });

    // Assess
    expect(api.conversion).toHaveBeenCalledTimes(3);
    expect(screen.state).toMatchObject({ conversion: { kind: "pending", slow: true } });
  });

  it("shows a refusal with the API's code, and goes back to the form on dismiss", async () => {
    // Prepare
    const api = fakeApi({
      convert: vi.fn(async () => Promise.reject(problemError(422, "daily_limit_exceeded"))),
    });
    const screen = createPointsScreen({ api });
    await screen.load();

    // Act
    await screen.convert({ rewardId: "free-shipping" });
    const refused = screen.state;
    screen.dismiss();

    // Assess
    expect(refused).toMatchObject({ conversion: { kind: "refused", code: "daily_limit_exceeded" } });
    expect(api.points).toHaveBeenCalledTimes(2); // the balance is read again after a refusal
    expect(screen.state).toMatchObject({ conversion: { kind: "idle" } });
  });

  it("ignores a second conversion while one is running", async () => {
    // Prepare
    let release: () => void = () => undefined;
    const api = fakeApi({
      convert: vi.fn(
        () =>
          new Promise<ConversionAnswer>((resolve) => {
            release = () => resolve({ status: 201 as const, view: completed() });
          }),
      ),
    });
    const screen = createPointsScreen({ api });
    await screen.load();

    // Act
    const first = screen.convert({ points: 500 });
    await screen.convert({ points: 100 });
    release();
    await first;

    // Assess
    expect(api.convert).toHaveBeenCalledTimes(1);
  });
});

const problemError = (status: number, code: string) => new ApiProblem(status, code, code);

describe("amounts", () => {
  const rules = { balance: 1250, unit: 100, dailyLimit: 10_000 };

  it.each([
    ["", { reason: "empty" }],
    ["50", { reason: "minimum", min: 100 }],
    ["150", { reason: "step", unit: 100 }],
    ["12.5", { reason: "step", unit: 100 }],
    ["1300", { reason: "balance", balance: 1250 }],
    ["1,200", undefined],
    ["500", undefined],
  ])("%j → %j", (raw, expected) => {
    expect(amountProblem(raw, rules)).toEqual(expected);
  });

  it("caps by the daily limit and rounds the balance down to the unit", () => {
    expect(amountProblem("10100", { ...rules, balance: 20_000 })).toEqual({ reason: "daily", limit: 10_000 });
    expect(maxConvertible(rules)).toBe(1200);
    expect(maxConvertible({ ...rules, balance: 50_000 })).toBe(10_000);
  });
});

describe("formatting and strings", () => {
  it("formats points, shop dates and instants in the customer's language", () => {
    expect(formatPoints(1250, "ja")).toBe("1,250 pt");
    expect(formatPoints(1250, "en")).toBe("1,250 pt");
    expect(formatSignedPoints(-500, "en")).toBe("−500 pt");
    expect(formatSignedPoints(150, "ja")).toBe("+150 pt");
    expect(formatShopDate("2027-12-04", "ja")).toBe("2027年12月4日");
    expect(formatShopDate("2027-12-04", "en")).toBe("December 4, 2027");
    // 15:30 UTC is already the next day in Tokyo.
    expect(formatInstantDate("2027-12-04T15:30:00Z", "en", "Asia/Tokyo")).toBe("December 5, 2027");
  });

  it("reads the locale from a BCP 47 tag and localises refusals by code", () => {
    expect(localeFrom("ja-JP")).toBe("ja");
    expect(localeFrom("en-GB")).toBe("en");
    expect(localeFrom(undefined)).toBe("en");
    expect(t("ja", "greeting", { name: "山田 太郎" })).toBe("山田 太郎 様");
    expect(refusalText("en", "insufficient_points")).toBe("You do not have enough points for this.");
    expect(refusalText("ja", "something_new")).toBe(t("ja", "refusal.other"));
  });

  it("describes a coupon's value and conditions from the conversion and its reward", () => {
    const rewards = catalog().rewards;
    const shipping = couponFacts(
      { type: "free_shipping", amount: 0, currency: "JPY" },
      rewards.find((reward) => reward.rewardId === "free-shipping"),
      "en",
      "JPY",
    );
    expect(shipping.value).toBe("Free shipping");
    expect(shipping.conditions).toEqual([
      "Orders of ¥3,000 or more",
      "300 points: free shipping on orders over ¥3,000",
      "One use, for your account only",
    ]);
    const plain = couponFacts({ amount: 500, currency: "JPY" }, undefined, "ja", "JPY");
    expect(plain.value).toBe("￥500");
    expect(plain.conditions[0]).toBe("最低注文金額なし");
  });
});
