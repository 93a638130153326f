import { existsSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { type Browser, type BrowserContext, chromium } from "playwright-core";
import { afterAll } from "vitest";

/**
 * A real Chromium for the browser tests: Debian's `chromium` driven by the pinned playwright-core
 * (Playwright cannot download its own browser here). `.ci/run` installs the browser and a CJK font;
 * CHROMIUM_PATH points elsewhere when the browser lives somewhere else.
 */
export const chromiumPath = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";

/** Where browser tests save screenshots (git-ignored; CI keeps them as artifacts). */
export const screenshotDir = join(process.cwd(), "test-artifacts", "screenshots");

/**
 * Flags for a closed network: without the background-networking ones Chromium keeps dialling
 * Google's hosts at every start, and the refusals slow it down.
 */
const launchArgs = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--disable-dev-shm-usage",
];

/** One browser for the test file, closed after it. */
export async function useBrowser(): Promise<Browser> {
  if (!existsSync(chromiumPath)) {
    throw new Error(
      `Browser tests need Chromium at ${chromiumPath}: apt-get install chromium fonts-ipafont-gothic (or set CHROMIUM_PATH)`,
    );
  }
  const browser = await chromium.launch({ executablePath: chromiumPath, headless: true, args: launchArgs });
  afterAll(() => browser.close());
  return browser;
}

/** A fresh context (cookies, storage, permissions) with the given locale. */
export function newContext(
  browser: Browser,
  options: { locale?: string; permissions?: string[] } = {},
): Promise<BrowserContext> {
  return browser.newContext({
    locale: options.locale ?? "en-US",
    timezoneId: "Asia/Tokyo",
    viewport: { width: 1280, height: 900 },
    permissions: options.permissions,
  });
}

/** Saves a full-page screenshot as `<name>.png` under the artifacts folder and returns its path. */
export async function screenshot(
  page: { screenshot(o: { path: string; fullPage: boolean }): Promise<unknown> },
  name: string,
): Promise<string> {
  mkdirSync(screenshotDir, { recursive: true });
  const path = join(screenshotDir, `${name}.png`);
  await page.screenshot({ path, fullPage: true });
  return path;
}
