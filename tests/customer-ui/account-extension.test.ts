// @vitest-environment jsdom
/// <reference types="@shopify/ui-extensions/customer-account.page.render" />
import { getExtension } from "@shopify/ui-extensions-tester";
import { fireEvent, waitFor } from "@testing-library/preact";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { customerNameQuery } from "../../extensions/loyalty-account/src/host";
import { catalog, completed, coupons, ok, pending, problem, taroPoints } from "./fixtures";

/**
 * The customer account extension's full page under Shopify's extension tester: the mock `shopify`
 * global (session token, language, settings, toast) and a mock `fetch` answering the Customer
 * Account API and the loyalty API with answers parsed by the API's own schemas.
 */
const extension = getExtension("customer-account.page.render", {
  configSearchDir: "extensions/loyalty-account",
});

const API = "https://loyalty.example";
type Route = (init: RequestInit) => Response | Promise<Response>;
let routes: Record<string, Route>;
let requests: Array<{ url: string; init: RequestInit }>;

function serve() {
  extension.fetch = vi.fn(async (input: string | URL | Request, init: RequestInit = {}) => {
    const url = String(input);
    requests.push({ url, init });
    const key = `${(init.method ?? "GET").toUpperCase()} ${url.replace(API, "").replace(/\?.*$/, "")}`;
    const route = routes[key];
    if (!route) throw new TypeError(`unexpected request ${key}`);
    return route(init);
  }) as typeof fetch;
}

const text = () => document.body.textContent ?? "";
/** Polaris sections and banners carry their heading as an attribute. */
const headings = () =>
  [...document.body.querySelectorAll("[heading]")].map((element) => element.getAttribute("heading"));
const buttons = () => [...document.body.querySelectorAll("s-button")] as HTMLElement[];
const button = (label: string) => {
  const found = buttons().find((element) => element.textContent === label);
  if (!found)
    throw new Error(
      `no button "${label}" among ${buttons()
        .map((b) => b.textContent)
        .join(", ")}`,
    );
  return found;
};

beforeEach(() => {
  extension.setUp();
  extension.shopify.settings.value = { api_url: API, time_zone: "Asia/Tokyo" };
  extension.shopify.localization.language.value = { isoCode: "ja-JP" };
  let issued = 0;
  extension.shopify.sessionToken.get = vi.fn(async () => `session-token-${++issued}`);
  extension.shopify.toast.show = vi.fn(async () => ({ hide: () => undefined }));
  requests = [];
  routes = {
    "POST shopify:customer-account/api/2026-07/graphql.json": () =>
      ok({ data: { customer: { firstName: "太郎", lastName: "山田" } } }),
    "GET /v1/me/points": () => ok(taroPoints()),
    "GET /v1/rewards": () => ok(catalog()),
    "GET /v1/me/coupons": () => ok(coupons()),
  };
  serve();
});

afterEach(() => {
  extension.tearDown();
});

describe("the points page of the customer account extension", () => {
  it("greets the customer by name and shows balance, rank, expiry, history and coupons", async () => {
    // Act
    await extension.render();

    // Assess
    await waitFor(() => expect(text()).toContain("1,250 pt"));
    await waitFor(() => expect(text()).toContain("山田 太郎 様"));
    expect(text()).toContain("ゴールド会員");
    expect(text()).toContain("有効期限 2027年12月4日");
    expect(text()).toContain("お買い上げ（渋谷）");
    expect(text()).toContain("+150 pt");
    expect(text()).toContain("70934-OLD111-300");
    expect(text()).toContain("使用済み");
    // Each API call carried its own session token, and the name came from the Customer Account API.
    const apiCalls = requests.filter((request) => request.url.startsWith(API));
    expect(apiCalls).toHaveLength(3);
    const tokens = apiCalls.map((call) => new Headers(call.init.headers).get("authorization"));
    expect(new Set(tokens).size).toBe(3);
    expect(tokens.every((token) => /^Bearer session-token-\d$/.test(token ?? ""))).toBe(true);
    const nameCall = requests.find((request) => request.url.startsWith("shopify:customer-account"));
    expect(JSON.parse(String(nameCall?.init.body))).toEqual({ query: customerNameQuery });
  });

  it("speaks English when the customer's language is English", async () => {
    // Prepare
    extension.shopify.localization.language.value = { isoCode: "en" };
    routes["POST shopify:customer-account/api/2026-07/graphql.json"] = () =>
      ok({ data: { customer: { firstName: "Taro", lastName: "Yamada" } } });

    // Act
    await extension.render();

    // Assess
    await waitFor(() => expect(text()).toContain("Taro Yamada"));
    await waitFor(() => expect(text()).toContain("Expires on December 4, 2027"));
    expect(headings()).toContain("Recent point history");
    expect(text()).toContain("Used");
    expect(requests.find((r) => r.url.endsWith("/v1/me/points"))?.init.headers).toBeDefined();
  });

  it("converts points into a code the customer copies, and shows the new balance", async () => {
    // Prepare
    routes["POST /v1/me/conversions"] = () => ok(completed(500), 201);
    await extension.render();
    await waitFor(() => expect(text()).toContain("1,250 pt"));
    routes["GET /v1/me/points"] = () => ok(taroPoints({ balance: 750 }));

    // Act
    const field = document.body.querySelector("s-number-field") as HTMLElement & { value: string };
    field.value = "500";
    fireEvent.input(field);
    fireEvent.click(button("クーポンに交換"));
    await waitFor(() => expect(text()).toContain("70934-AB12CD-500"));
    const clipboard = document.body.querySelector('s-clipboard-item[id="loyalty-new-code"]');
    clipboard?.dispatchEvent(new Event("copy"));

    // Assess
    const post = requests.find((request) => request.init.method === "POST" && request.url.startsWith(API));
    expect(JSON.parse(String(post?.init.body))).toEqual({ points: 500 });
    expect(new Headers(post?.init.headers).get("idempotency-key")).toMatch(/^[0-9a-f-]{36}$/);
    expect(clipboard?.getAttribute("text")).toBe("70934-AB12CD-500");
    expect(text()).toContain("交換後のポイント: 750 pt");
    expect(text()).toContain("割引額: ￥500");
    expect(extension.shopify.toast.show).toHaveBeenCalledWith(
      "コード 70934-AB12CD-500 をクリップボードにコピーしました",
    );
  });

  it("refuses an amount over the balance without calling the API", async () => {
    // Prepare
    await extension.render();
    await waitFor(() => expect(text()).toContain("1,250 pt"));

    // Act
    const field = document.body.querySelector("s-number-field") as HTMLElement & { value: string };
    field.value = "1300";
    fireEvent.input(field);
    fireEvent.click(button("クーポンに交換"));

    // Assess
    await waitFor(() =>
      expect(field.getAttribute("error")).toBe("保有ポイントは 1,250 pt です。それ以上は使えません。"),
    );
    expect(requests.some((request) => request.init.method === "POST" && request.url.startsWith(API))).toBe(
      false,
    );
  });

  it("bounds the amount by the daily limit the merchant set", async () => {
    // Prepare
    extension.shopify.settings.value = { api_url: API, daily_limit: 1000 };
    await extension.render();
    await waitFor(() => expect(text()).toContain("1,250 pt"));

    // Act
    const field = document.body.querySelector("s-number-field") as HTMLElement & { value: string };
    field.value = "1200";
    fireEvent.input(field);
    fireEvent.click(button("クーポンに交換"));

    // Assess
    await waitFor(() => expect(field.getAttribute("error")).toBe("1日に使えるのは 1,000 pt までです。"));
    expect(text()).toContain("100 pt 単位、最大 1,000 pt");
  });

  it("exchanges a reward and says why the API refused another", async () => {
    // Prepare
    let attempt = 0;
    routes["POST /v1/me/conversions"] = () =>
      ++attempt === 1
        ? problem(422, "daily_limit_exceeded", "Today's limit is reached")
        : ok(
            {
              ...completed(300),
              coupon: {
                ...completed(300).coupon,
                code: "70934-XY34ZW-SHIP",
                amount: 0,
                type: "free_shipping",
                rewardId: "free-shipping",
              },
              balance: { before: 1250, after: 950 },
            },
            201,
          );
    await extension.render();
    await waitFor(() => expect(text()).toContain("1,250 pt"));
    const chooseShipping = () =>
      buttons().find((element) => element.getAttribute("accessibilityLabel") === "送料無料クーポンに交換");
    // The tote bag costs more than Taro has: its button is disabled and says how many are missing.
    const tote = buttons().find(
      (element) => element.getAttribute("accessibilityLabel") === "オリジナルトートバッグに交換",
    );
    expect(tote?.hasAttribute("disabled")).toBe(true);
    expect(text()).toContain("あと 6,750 pt 必要です");

    // Act
    fireEvent.click(chooseShipping() as HTMLElement);
    await waitFor(() => expect(text()).toContain("本日のポイント利用上限に達しました"));
    fireEvent.click(button("戻る"));
    await waitFor(() => expect(chooseShipping()).toBeDefined());
    fireEvent.click(chooseShipping() as HTMLElement);

    // Assess
    await waitFor(() => expect(text()).toContain("70934-XY34ZW-SHIP"));
    expect(text()).toContain("割引額: 送料無料");
    expect(text()).toContain("￥3,000以上のご注文");
  });

  it("shows progress for a conversion still running and resolves it by polling", async () => {
    // Prepare
    vi.useFakeTimers({ shouldAdvanceTime: true });
    routes["POST /v1/me/conversions"] = () => ok(pending(), 202, { "retry-after": "1" });
    routes["GET /v1/me/conversions/cnv_AAAAAAAAAAAAAAAAAAAA"] = () => ok(completed(500));
    await extension.render();
    await waitFor(() => expect(text()).toContain("1,250 pt"));

    // Act
    const field = document.body.querySelector("s-number-field") as HTMLElement & { value: string };
    field.value = "500";
    fireEvent.input(field);
    fireEvent.click(button("クーポンに交換"));

    // Assess
    await waitFor(() => expect(text()).toContain("クーポンを作成中です"));
    await vi.advanceTimersByTimeAsync(1000);
    await waitFor(() => expect(text()).toContain("70934-AB12CD-500"));
    vi.useRealTimers();
  });

  it("keeps coupons on screen while the POS is down and shows the balance after Reload", async () => {
    // Prepare
    routes["GET /v1/me/points"] = () => problem(503, "pos_unavailable");
    routes["GET /v1/rewards"] = () => problem(503, "pos_unavailable");

    // Act
    await extension.render();
    await waitFor(() => expect(headings()).toContain("ただいまポイント残高を表示できません"));
    const duringOutage = text();
    routes["GET /v1/me/points"] = () => ok(taroPoints());
    routes["GET /v1/rewards"] = () => ok(catalog());
    fireEvent.click(button("再読み込み"));

    // Assess
    expect(duringOutage).toContain("山田 太郎 様");
    expect(duringOutage).toContain("70934-OLD111-300");
    expect(duringOutage).toContain("ポイントは店頭でもご確認いただけます。");
    expect(duringOutage).not.toContain("1,250 pt");
    await waitFor(() => expect(text()).toContain("1,250 pt"));
    expect(headings()).not.toContain("ただいまポイント残高を表示できません");
  });

  it("tells a customer without a store membership, and a signed-out one, what to do", async () => {
    // Prepare
    routes["GET /v1/me/points"] = () => problem(404, "not_registered");
    routes["GET /v1/rewards"] = () => ok({ balance: 0, registered: false, rewards: [] });

    // Act
    await extension.render();

    // Assess
    await waitFor(() => expect(headings()).toContain("店舗会員の登録がありません"));
    extension.tearDown();
    extension.setUp();
    extension.shopify.settings.value = { api_url: API };
    extension.shopify.sessionToken.get = vi.fn(async () => Promise.reject(new Error("no customer")));
    serve();
    await extension.render();
    await waitFor(() => expect(headings()).toContain("Your session has ended"));
  });

  it("asks the merchant's settings for the API URL and says so when it is missing", async () => {
    // Prepare
    extension.shopify.settings.value = {};

    // Act
    await extension.render();

    // Assess
    expect(headings()).toContain("エラーが発生しました");
    expect(requests.filter((request) => request.url.startsWith(API))).toHaveLength(0);
  });
});
