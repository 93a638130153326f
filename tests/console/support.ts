import { createRequire } from "node:module";
import type { Browser, Page } from "playwright-core";
import { expect } from "vitest";
import { newContext } from "../support/browser";

/**
 * Driving the staff console in Chromium: sign in through the local admin issuer's authorize page
 * (the same redirects Cognito's managed login makes), and check a page with axe-core.
 */

const axeSource: string = (createRequire(import.meta.url)("axe-core") as { source: string }).source;

export type ConsoleRole = "admin" | "viewer";

const staffOf: Record<ConsoleRole, string> = { admin: "ops@example.com", viewer: "viewer@example.com" };

/** A new browser context signed in as the role's demo staff member, on the console's coupon search. */
export async function signIn(
  browser: Browser,
  apiUrl: string,
  role: ConsoleRole,
  options: { locale?: string; hash?: string } = {},
): Promise<Page> {
  const context = await newContext(browser, { locale: options.locale ?? "en-US" });
  const page = await context.newPage();
  failOnPageErrors(page);
  await page.goto(`${apiUrl}/admin/${options.hash ?? ""}`);
  // The console redirects to the issuer's authorize page.
  await page.waitForURL(/\/admin-issuer\/oauth2\/authorize/);
  await page.getByLabel(staffOf[role]).check();
  await page.getByLabel(role === "admin" ? /loyalty-admin/ : /loyalty-viewer/).check();
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.waitForURL((url) => url.pathname === "/admin/" && !url.searchParams.has("code"));
  await expect.poll(() => page.locator("header .user").textContent()).toContain(staffOf[role]);
  return page;
}

/** Script errors and CSP violations fail the test instead of passing silently. */
export function failOnPageErrors(page: Page): string[] {
  const problems: string[] = [];
  page.on("pageerror", (error) => problems.push(`pageerror: ${error.message}`));
  page.on("console", (message) => {
    if (message.type() === "error" && !/status of 4\d\d/.test(message.text())) {
      problems.push(`console: ${message.text()}`);
    }
  });
  (page as Page & { consoleProblems?: string[] }).consoleProblems = problems;
  return problems;
}

export const pageProblems = (page: Page): string[] =>
  (page as Page & { consoleProblems?: string[] }).consoleProblems ?? [];

interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: Array<{ target: unknown[] }>;
}

/**
 * Runs axe-core in the page (evaluated through the DevTools protocol, which the console's CSP does
 * not govern) and returns the serious and critical violations.
 */
export async function seriousViolations(page: Page): Promise<string[]> {
  await page.evaluate(axeSource);
  const violations = await page.evaluate(async () => {
    const axe = (
      globalThis as unknown as {
        axe: { run(context: unknown, options: unknown): Promise<{ violations: AxeViolation[] }> };
      }
    ).axe;
    const result = await axe.run((globalThis as unknown as { document: unknown }).document, {
      resultTypes: ["violations"],
    });
    return result.violations.map((violation) => ({
      id: violation.id,
      impact: violation.impact,
      help: violation.help,
      nodes: violation.nodes.map((node) => ({ target: node.target })),
    }));
  });
  return violations
    .filter((violation) => violation.impact === "serious" || violation.impact === "critical")
    .map(
      (violation) =>
        `${violation.id} (${violation.impact}): ${violation.help} at ${JSON.stringify(violation.nodes.map((n) => n.target))}`,
    );
}

/** The ID token the console holds for its session (what its API calls send). */
export async function sessionIdToken(page: Page): Promise<string> {
  const token = await page.evaluate(() => {
    const storage = (
      globalThis as unknown as {
        sessionStorage: { length: number; key(i: number): string | null; getItem(k: string): string | null };
      }
    ).sessionStorage;
    for (let index = 0; index < storage.length; index++) {
      const key = storage.key(index);
      if (key?.startsWith("oidc.user:"))
        return (JSON.parse(storage.getItem(key) ?? "{}") as { id_token?: string }).id_token;
    }
    return undefined;
  });
  if (!token) throw new Error("The console holds no session");
  return token;
}
