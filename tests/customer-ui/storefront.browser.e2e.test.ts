import type { BrowserContext, Page } from "playwright-core";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { newContext, screenshot, useBrowser } from "../support/browser";
import { expectAlerts } from "../support/expected-logs";
import { taro, useTestStack } from "../support/local-stack";

/**
 * The theme block on the demo storefront's account page, in Chromium, against the whole local
 * stack: the page calls `/apps/loyalty/*` on the Shopify emulator, which signs each request like
 * Shopify's App Proxy and forwards it to the real handlers.
 */
const t = await useTestStack({
  // A short wait budget so a slow discount creation turns into a 202 the page has to poll.
  environment: { CONVERSION_WAIT_MS: "1200", SHOPIFY_TIMEOUT_MS: "5000" },
});
const { stack } = t;
const browser = await useBrowser();

const jiro = "8840734670936";
const codePattern = /^70934-[A-Z0-9]{6}-/;

let context: BrowserContext;
let page: Page;
let pageErrors: string[];

async function open(options: { customer?: string; locale?: "ja" | "en"; browserLocale?: string } = {}) {
  context = await newContext(browser, {
    locale: options.browserLocale ?? "ja-JP",
    permissions: ["clipboard-read", "clipboard-write"],
  });
  page = await context.newPage();
  pageErrors = [];
  page.on("pageerror", (error) => pageErrors.push(error.message));
  page.on("console", (message) => {
    // A 503 or 401 answer is an expected state of these pages; script errors are not.
    if (message.type() === "error" && !message.text().startsWith("Failed to load resource")) {
      pageErrors.push(message.text());
    }
  });
  const query = new URLSearchParams({ customer: options.customer ?? taro.customerId });
  if (options.locale) query.set("locale", options.locale);
  await page.goto(`${stack.urls.shopify}/account?${query}`);
  return page;
}

const balance = () => page.getByTestId("balance");

beforeEach(async () => {
  stack.smaregi.control.reset();
  stack.smaregi.store.reset();
  stack.shopify.control.reset();
});

afterEach(async () => {
  expect(pageErrors).toEqual([]);
  await context?.close();
});

describe("the points block on the storefront account page", () => {
  it("shows Taro his name, balance, rank, expiry and history in Japanese", async () => {
    // Act
    await open();

    // Assess
    await expect.poll(() => balance().textContent()).toBe("1,250 pt");
    expect(await page.getByTestId("name").textContent()).toBe("山田 太郎 様");
    expect(await page.getByTestId("rank").textContent()).toContain("ゴールド会員");
    expect(await page.getByTestId("expiry").textContent()).toMatch(/^有効期限 \d{4}年\d{1,2}月\d{1,2}日$/);
    const rows = page.locator(".loyalty-table tbody tr");
    expect(await rows.count()).toBe(3);
    expect(await rows.first().textContent()).toMatch(
      /\d{4}年\d{1,2}月\d{1,2}日\s*お買い物でのポイント獲得\s*\+150 pt/,
    );
    expect(await page.getByRole("heading", { name: "マイクーポン" }).count()).toBe(1);
    await screenshot(page, "customer-ui-taro-ja");
  });

  it("speaks English when the storefront is in English", async () => {
    // Act
    await open({ locale: "en", browserLocale: "en-US" });

    // Assess
    await expect.poll(() => balance().textContent()).toBe("1,250 pt");
    expect(await page.getByTestId("name").textContent()).toBe("Taro Yamada");
    expect(await page.getByTestId("rank").textContent()).toContain("Gold Member");
    expect(await page.getByTestId("expiry").textContent()).toMatch(/^Expires on [A-Z][a-z]+ \d{1,2}, \d{4}$/);
    expect(await page.locator(".loyalty-table tbody tr").first().textContent()).toContain(
      "Points earned on a purchase",
    );
    await screenshot(page, "customer-ui-taro-en");
  });

  it("converts 500 points into a code the customer copies, and shows the new balance", async () => {
    // Prepare
    await open({ locale: "en", browserLocale: "en-US" });
    await expect.poll(() => balance().textContent()).toBe("1,250 pt");

    // Act
    await page.getByLabel("Points to use").fill("500");
    await page.getByRole("button", { name: "Get a coupon" }).click();
    const code = page.getByTestId("code");
    await code.waitFor();
    await page
      .getByRole("button", { name: /^Copy 70934-/ })
      .first()
      .click();

    // Assess
    const text = (await code.textContent()) ?? "";
    expect(text).toMatch(new RegExp(`${codePattern.source}500$`));
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(text);
    await expect
      .poll(() => page.getByRole("status").first().textContent())
      .toBe(`Code ${text} copied to the clipboard`);
    expect(await page.getByTestId("new-balance").textContent()).toBe("750 pt");
    expect(await page.getByTestId("value").textContent()).toBe("¥500");
    await expect.poll(() => balance().textContent()).toBe("750 pt");
    expect(t.posBalance(taro.posCustomerId)).toBe(750);
    await expect
      .poll(() => page.locator(`[data-coupon="${text}"]`).getAttribute("data-status"))
      .toBe("active");
    await screenshot(page, "customer-ui-converted-en");
  });

  it("exchanges points for a reward of the catalog and shows its conditions", async () => {
    // Prepare
    await open();
    await expect.poll(() => balance().textContent()).toBe("1,250 pt");

    // Act
    await page.getByRole("button", { name: "送料無料クーポンに交換" }).click();

    // Assess
    const code = page.getByTestId("code");
    await code.waitFor();
    expect(await code.textContent()).toMatch(codePattern);
    expect(await page.getByTestId("value").textContent()).toBe("送料無料");
    expect(await page.getByTestId("result").textContent()).toContain("￥3,000以上のご注文");
    expect(await page.getByTestId("new-balance").textContent()).toBe("950 pt");
    expect(t.posBalance(taro.posCustomerId)).toBe(950);
    await screenshot(page, "customer-ui-reward-ja");
  });

  it("says why an amount cannot be used before asking, and why the API refused", async () => {
    // Prepare
    await open();
    await expect.poll(() => balance().textContent()).toBe("1,250 pt");

    // Act: more than the balance, then a conversion the POS refuses (points used at the till meanwhile).
    await page.getByLabel("使うポイント").fill("2000");
    await page.getByRole("button", { name: "クーポンに交換", exact: true }).click();
    const localError = await page.getByRole("alert").textContent();
    stack.smaregi.store.addPoints(taro.posCustomerId, -1000);
    await page.getByLabel("使うポイント").fill("500");
    await page.getByRole("button", { name: "クーポンに交換", exact: true }).click();

    // Assess
    expect(localError).toBe("保有ポイントは 1,250 pt です。それ以上は使えません。");
    await expect.poll(() => page.getByTestId("refusal").textContent()).toBe("ポイントが足りません。");
    expect(t.posBalance(taro.posCustomerId)).toBe(250);
    // The page then shows the balance the POS holds now.
    await expect.poll(() => balance().textContent()).toBe("250 pt");
    await screenshot(page, "customer-ui-refused-ja");
  });

  it("shows progress for a conversion still running and resolves it by polling", async () => {
    // Prepare: creating the discount takes longer than the API waits, so it answers 202.
    stack.shopify.control.setLatency({ discountCodeBasicCreate: 2500 });
    await open({ locale: "en", browserLocale: "en-US" });
    await expect.poll(() => balance().textContent()).toBe("1,250 pt");

    // Act
    await page.getByLabel("Points to use").fill("300");
    await page.getByRole("button", { name: "Get a coupon" }).click();

    // Assess
    await page.getByText("Still working on your coupon").waitFor();
    await page.getByTestId("code").waitFor({ timeout: 15_000 });
    expect(await page.getByTestId("new-balance").textContent()).toBe("950 pt");
  });

  it("keeps the page usable while the POS is down, and shows the balance after Reload", async () => {
    // Prepare: every Smaregi call answers 503.
    const faults = await fetch(`${stack.urls.smaregi}/_control/faults`, {
      method: "PUT",
      headers: { "content-type": "application/json" },
      body: JSON.stringify([{ operation: "*", kind: "http503" }]),
    });
    expect(faults.status).toBe(200);

    // Act: the API reports the outage to its operators (captured here, not printed).
    const notice = () => page.getByTestId("pos-unavailable");
    const alerts = expectAlerts("pos_unavailable");
    await open();
    await notice().waitFor();
    await screenshot(page, "customer-ui-pos-down-ja");
    const duringOutage = {
      name: await page.getByTestId("name").textContent(),
      coupons: await page.getByRole("heading", { name: "マイクーポン" }).count(),
      balance: await balance().count(),
      inStore: await notice().textContent(),
    };
    await fetch(`${stack.urls.smaregi}/_control/faults`, {
      method: "PUT",
      headers: { "content-type": "application/json" },
      body: "[]",
    });
    await page.getByRole("button", { name: "再読み込み" }).click();

    // Assess
    expect(duringOutage).toMatchObject({ name: "山田 太郎 様", coupons: 1, balance: 0 });
    expect(duringOutage.inStore).toContain("店頭でもご確認いただけます");
    await expect.poll(() => balance().textContent()).toBe("1,250 pt");
    expect(await notice().count()).toBe(0);
    await expect.poll(() => alerts.lines.length).toBeGreaterThan(0);
  });

  it("tells a customer without a store membership how to join", async () => {
    // Act
    await open({ customer: jiro, locale: "en", browserLocale: "en-US" });

    // Assess
    await page.getByTestId("not-registered").waitFor();
    expect(await page.getByTestId("name").textContent()).toBe("Jiro Tanaka");
    expect(await page.getByTestId("not-registered").textContent()).toContain(
      "You are not a store member yet",
    );
    expect(await balance().count()).toBe(0);
    await screenshot(page, "customer-ui-not-registered-en");
  });

  it("converts with the keyboard alone, focus following the result", async () => {
    // Prepare
    await open({ locale: "en", browserLocale: "en-US" });
    await expect.poll(() => balance().textContent()).toBe("1,250 pt");
    await page.getByRole("link", { name: "Loyalty Demo Store" }).focus();

    // Act: Tab from the shop's header to the amount field, type, Enter; then Tab to the copy button.
    const focusOrder: string[] = [];
    for (let step = 0; step < 3; step++) {
      await page.keyboard.press("Tab");
      focusOrder.push(
        await page.evaluate(
          () => document.activeElement?.getAttribute("data-focus") ?? document.activeElement?.tagName ?? "",
        ),
      );
      if (focusOrder.at(-1) === "amount") break;
    }
    await page.keyboard.type("200");
    await page.keyboard.press("Enter");
    await page.getByTestId("code").waitFor();
    const focusedAfter = await page.evaluate(() => document.activeElement?.textContent);
    await page.keyboard.press("Tab");
    await page.keyboard.press("Enter");

    // Assess
    expect(focusOrder.at(-1)).toBe("amount");
    expect(focusedAfter).toBe("Your coupon is ready");
    const code = (await page.getByTestId("code").textContent()) ?? "";
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(code);
    expect(t.posBalance(taro.posCustomerId)).toBe(1050);
  });

  it("sends a customer whose session ended back to sign-in", async () => {
    // Prepare
    await open();
    await expect.poll(() => balance().textContent()).toBe("1,250 pt");

    // Act: the storefront session ends; the next call reaches the API without a customer.
    await context.clearCookies();
    await page.getByLabel("使うポイント").fill("100");
    await page.getByRole("button", { name: "クーポンに交換", exact: true }).click();

    // Assess
    await page.waitForURL(/\/account\/login$/);
    expect(await page.getByRole("heading", { name: "ログイン" }).count()).toBe(1);
    expect(t.posBalance(taro.posCustomerId)).toBe(1250);
  });
});
