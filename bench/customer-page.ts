import { parseArgs } from "node:util";
import { chromium } from "playwright-core";
import { findFreePort } from "../infra/local/dynamodb";
import { startLocalStack } from "../infra/local/stack";
import { summarise } from "./stats";

/**
 * `npm run bench:customer-page`: how soon the customer sees the balance. The local stack runs
 * under the `seed` latency profile (POS reads 250 ms); Chromium loads the demo storefront's
 * account page N times (one warm-up load first) and reads, in the page, the time from the start
 * of navigation until the balance is on screen. Target: p50 under 1 s.
 *
 * Options: --loads N (default 20).
 */
const { values } = parseArgs({ options: { loads: { type: "string", default: "20" } } });
const loads = Number(values.loads);
if (!Number.isInteger(loads) || loads < 1) throw new Error("--loads must be a positive integer");

const chromiumPath = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
const stack = await startLocalStack({
  ports: { api: 0, shopify: 0, smaregi: 0, stepFunctions: 0, ses: 0, dynamodb: await findFreePort() },
  latencyProfile: "seed",
});
const browser = await chromium.launch({
  executablePath: chromiumPath,
  headless: true,
  args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run"],
});
try {
  const context = await browser.newContext({ locale: "ja-JP", timezoneId: "Asia/Tokyo" });
  // In the page, from its first byte: note when the balance is first drawn, at the next frame after
  // it enters the document (reading the clock from the test runner would add its polling delay).
  await context.addInitScript(() => {
    const marks = window as unknown as { balanceShownAt?: number };
    new MutationObserver((_records, observer) => {
      if (marks.balanceShownAt !== undefined || !document.querySelector('[data-testid="balance"]')) return;
      observer.disconnect();
      requestAnimationFrame(() => {
        marks.balanceShownAt = performance.now();
      });
    }).observe(document, { childList: true, subtree: true });
  });
  const url = `${stack.urls.shopify}/account?customer=8840734670934`;
  const samples: number[] = [];
  for (let index = 0; index <= loads; index++) {
    const page = await context.newPage();
    await page.goto(url, { waitUntil: "commit" });
    // Navigation start is the page's time origin: the mark is "ms since the page was requested".
    const shownAt = await page
      .waitForFunction(() => (window as unknown as { balanceShownAt?: number }).balanceShownAt, undefined, {
        timeout: 10_000,
      })
      .then((handle) => handle.jsonValue() as Promise<number>);
    if (index > 0) samples.push(shownAt);
    await page.close();
  }
  const summary = summarise(samples);
  console.log(`balance on screen after the page request (ms, ${loads} loads, latency seed):`);
  console.log(JSON.stringify(summary));
  console.log(summary.p50 < 1000 ? "p50 under 1 s: ok" : "p50 over 1 s: too slow");
} finally {
  await browser.close();
  await stack.stop();
}
