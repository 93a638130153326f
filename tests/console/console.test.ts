import type { Page } from "playwright-core";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import type { FaultRule } from "../../infra/local/emulation/control";
import { convertBy } from "../rewards/support";
import { screenshot, useBrowser } from "../support/browser";
import { taro, useTestStack } from "../support/local-stack";
import { printedLines } from "../support/printed-lines";
import { pageProblems, seriousViolations, sessionIdToken, signIn } from "./support";

/**
 * The staff console in a real Chromium against the whole local stack: signed in through the local
 * admin issuer (code flow + PKCE, as with Cognito's managed login), every screen driven the way
 * staff would, and what the service did checked behind the page (POS, Shopify, SES, DynamoDB).
 */
const t = await useTestStack();
const { stack } = t;
const browser = await useBrowser();
const api = stack.urls.api;
const taroGid = `gid://shopify/Customer/${taro.customerId}`;

const executionOf = (conversionId: string) =>
  `${String(stack.environment.CONVERT_STATE_MACHINE_ARN).replace(":stateMachine:", ":execution:")}:${conversionId}`;

/** A completed conversion's code, its saga finished (metafield saved). */
async function converted(points: number): Promise<string> {
  const answer = await t.convert(taro.customerId, points);
  expect(answer.status, JSON.stringify(answer.body)).toBe(201);
  await stack.stepFunctions.waitForExecution(executionOf(String(answer.body.conversionId)));
  return (answer.body.coupon as { code: string }).code;
}

const placeOrder = async (code: string) => {
  const response = await fetch(`${stack.urls.shopify}/_control/orders`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ code, customerId: taro.customerId }),
  });
  expect(response.status).toBe(201);
};

/** Codes made for the tests: one to read, one to cancel, one used at checkout. */
const codes = { read: "", cancel: "", used: "" };
const opened: Page[] = [];

beforeAll(async () => {
  codes.read = await converted(100);
  codes.cancel = await converted(200);
  codes.used = await converted(300);
  await placeOrder(codes.used);
  // The order webhook marks the coupon used; wait for it (expect.poll is for tests only).
  for (let attempt = 0; (await t.coupons.getCoupon(codes.used))?.status !== "used"; attempt++) {
    if (attempt === 50) throw new Error(`${codes.used} was not marked used`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
});

afterEach(() => {
  // No script error and no CSP violation on any page the test opened.
  for (const page of opened) expect(pageProblems(page)).toEqual([]);
});

async function open(role: "admin" | "viewer", options: { locale?: string; hash?: string } = {}) {
  const page = await signIn(browser, api, role, options);
  opened.push(page);
  return page;
}

let admin: Page;

describe("signing in", () => {
  it("signs an admin in through the issuer's authorize page and shows who and which role", async () => {
    // Act
    admin = await open("admin");

    // Assess
    await expect
      .poll(() => admin.locator("header .role").textContent())
      .toBe("Role: Admin (read and change)");
    await expect.poll(() => admin.locator("h1").textContent()).toBe("Coupons");
    // The newest coupons of the shop are listed before any search.
    await expect.poll(() => admin.locator("table.coupons tbody tr").count()).toBe(3);
    expect(await seriousViolations(admin)).toEqual([]);
    await screenshot(admin, "console-coupons-admin");
  });
});

describe("coupon search", () => {
  const rowCodes = (page: Page) => page.locator("table.coupons tbody tr td:first-child").allTextContents();

  it("finds a customer's coupons by gid, newest first", async () => {
    // Act
    await admin.getByLabel("Customer ID").fill(taroGid);
    await admin.getByRole("button", { name: "Search" }).click();

    // Assess
    await expect.poll(() => rowCodes(admin)).toEqual([codes.used, codes.cancel, codes.read]);
    expect(admin.url()).toContain(`customerId=${taro.customerId}`);
    const firstRow = await admin.locator("table.coupons tbody tr").first().textContent();
    expect(firstRow).toContain("300");
    expect(firstRow).toContain("Used");
  });

  it("finds one coupon by its code in any case", async () => {
    // Act
    await admin.getByLabel("Customer ID").fill("");
    await admin.getByLabel("Coupon code").fill(codes.cancel.toLowerCase());
    await admin.getByRole("button", { name: "Search" }).click();

    // Assess
    await expect.poll(() => rowCodes(admin)).toEqual([codes.cancel]);
  });

  it("filters the used coupons", async () => {
    // Act
    await admin.getByLabel("Coupon code").fill("");
    await admin.getByLabel("Status").selectOption("used");
    await admin.getByRole("button", { name: "Search" }).click();

    // Assess
    await expect.poll(() => rowCodes(admin)).toEqual([codes.used]);
    await screenshot(admin, "console-coupons-used");
  });

  it("explains a customer id it cannot search by, without calling the API", async () => {
    // Act
    await admin.getByLabel("Customer ID").fill("gid://shopify/Order/12");
    await admin.getByRole("button", { name: "Search" }).click();

    // Assess
    await expect
      .poll(() => admin.locator(".field-error").textContent())
      .toContain("numeric Shopify customer id");
    await expect.poll(() => admin.getByLabel("Customer ID").getAttribute("aria-invalid")).toBe("true");
  });
});

describe("coupon detail", () => {
  it("shows the coupon, its conversion and the audit trail the API holds, oldest first", async () => {
    // Prepare
    const inspection = (await (await t.adminApi(`/v1/admin/coupons/${codes.read}`)).json()) as {
      trail: Array<{ type: string }>;
      execution: { arn: string };
      conversion: { conversionId: string };
    };

    // Act
    await admin.goto(`${api}/admin/#/coupons`);
    await admin.getByLabel("Coupon code").fill(codes.read);
    await admin.getByRole("button", { name: "Search" }).click();
    await admin.getByRole("link", { name: codes.read }).click();

    // Assess
    await expect.poll(() => admin.locator("h1").textContent()).toBe(`Coupon ${codes.read}`);
    await expect
      .poll(() => admin.locator(".timeline .event-type").allTextContents())
      .toEqual(inspection.trail.map((event) => event.type));
    expect(inspection.trail.length).toBeGreaterThan(3);
    const page = await admin.locator("main").textContent();
    expect(page).toContain(inspection.conversion.conversionId);
    expect(page).toContain(inspection.execution.arn);
    expect(page).toContain("smaregiTransactionHeadIds");
    expect(await seriousViolations(admin)).toEqual([]);
    await screenshot(admin, "console-coupon-detail");
  });
});

describe("cancelling a coupon", () => {
  it("refunds the points, emails the customer and lists the coupon as cancelled", async () => {
    // Prepare
    const balanceBefore = t.posBalance(taro.posCustomerId);
    stack.ses.emails.clear();
    await admin.goto(`${api}/admin/#/coupons/${codes.cancel}`);
    await admin.getByLabel("Reason").selectOption("converted_by_mistake");
    await admin.getByLabel("Note (optional)").fill("asked at the Shibuya store");

    // Act: the keyboard opens the dialog and Escape keeps the coupon; then it is confirmed
    await admin.getByRole("button", { name: "Cancel coupon…" }).focus();
    await admin.keyboard.press("Enter");
    const dialog = admin.getByRole("dialog", { name: `Cancel coupon ${codes.cancel}?` });
    await expect.poll(() => dialog.isVisible()).toBe(true);
    expect(await dialog.textContent()).toContain("200 points go back");
    expect(await dialog.textContent()).toContain(`Customer ${taro.customerId} will be emailed`);
    await screenshot(admin, "console-cancel-dialog");
    await admin.keyboard.press("Escape");
    await expect.poll(() => dialog.isVisible()).toBe(false);
    expect((await t.coupons.getCoupon(codes.cancel))?.status).toBe("active");
    await admin.getByRole("button", { name: "Cancel coupon…" }).click();
    await dialog.getByRole("button", { name: "Yes, cancel and refund" }).click();

    // Assess
    const result = admin.locator(".alert-success");
    await expect.poll(() => result.textContent(), { timeout: 20_000 }).toContain("Coupon cancelled");
    await expect
      .poll(() => result.textContent(), { timeout: 10_000 })
      .toContain("Email to the customer: sent");
    const balanceAfter = t.posBalance(taro.posCustomerId);
    expect(balanceAfter).toBe(balanceBefore + 200);
    expect(await result.textContent()).toContain("Refunded points: 200");
    expect(await result.textContent()).toContain(`New POS balance: ${balanceAfter.toLocaleString("en-US")}`);
    const mails = stack.ses.emails.list({ to: "taro.yamada@example.com" });
    expect(mails).toHaveLength(1);
    expect(`${mails[0]?.text ?? ""}${mails[0]?.raw ?? ""}`).toContain(codes.cancel);
    const stored = await t.coupons.getCoupon(codes.cancel);
    expect(stored).toMatchObject({
      status: "cancelled",
      cancelledBy: "ops@example.com",
      cancelReason: "converted_by_mistake",
      cancelNote: "asked at the Shibuya store",
    });
    await screenshot(admin, "console-cancel-result");

    await admin.goto(`${api}/admin/#/coupons?status=cancelled`);
    await expect
      .poll(() => admin.locator("table.coupons tbody tr").allTextContents())
      .toEqual([expect.stringContaining(codes.cancel)]);
    expect(await admin.locator("table.coupons tbody tr").textContent()).toContain("Cancelled");
  });

  it("offers no cancellation for a used coupon and says why", async () => {
    // Act
    await admin.goto(`${api}/admin/#/coupons/${codes.used}`);

    // Assess
    await expect
      .poll(() => admin.locator("section[aria-labelledby=cancel-heading]").textContent())
      .toContain("already used at checkout");
    expect(await admin.getByRole("button", { name: "Cancel coupon…" }).count()).toBe(0);
  });
});

describe("a viewer", () => {
  it("sees no write action, and the API refuses a cancel forged with the viewer's session", async () => {
    // Act
    const viewer = await open("viewer", { hash: `#/coupons/${codes.read}` });

    // Assess
    await expect.poll(() => viewer.locator("header .role").textContent()).toBe("Role: Viewer (read only)");
    await expect.poll(() => viewer.locator("h1").textContent()).toBe(`Coupon ${codes.read}`);
    expect(await viewer.getByRole("button", { name: /Cancel coupon/ }).count()).toBe(0);
    expect(await viewer.getByRole("link", { name: "Point grant" }).count()).toBe(0);
    await screenshot(viewer, "console-viewer-detail");

    const token = await sessionIdToken(viewer);
    const forged = await viewer.evaluate(
      async ({ code, token }) => {
        const response = await fetch(`/v1/admin/coupons/${code}/cancel`, {
          method: "POST",
          headers: {
            authorization: `Bearer ${token}`,
            "content-type": "application/json",
            "idempotency-key": "forged-by-a-viewer-0001",
          },
          body: JSON.stringify({ reason: "other" }),
        });
        return { status: response.status, body: (await response.json()) as { code?: string } };
      },
      { code: codes.read, token },
    );
    expect(forged).toEqual({ status: 403, body: expect.objectContaining({ code: "forbidden" }) });
    expect((await t.coupons.getCoupon(codes.read))?.status).toBe("active");

    await viewer.goto(`${api}/admin/#/rewards`);
    await expect.poll(() => viewer.locator("table tbody tr").count()).toBeGreaterThan(3);
    expect(await viewer.getByRole("link", { name: /^Edit/ }).count()).toBe(0);
    expect(await viewer.getByRole("link", { name: "New reward" }).count()).toBe(0);
    await viewer.context().close();
  });
});

describe("review queue", () => {
  /** The POS took the points but its answer was lost and its history could not be read. */
  const lostDeduction: FaultRule[] = [
    { operation: "addPoints", kind: "commit-then-timeout", count: 1 },
    { operation: "listTransactions", kind: "http503" },
  ];

  it("resolves a parked conversion, after the POS evidence refused the wrong outcome", async () => {
    // Prepare
    stack.smaregi.control.setFaults(lostDeduction);
    let conversionId = "";
    // Parking alerts the admins with an error log line; captured here, not printed.
    const logged = await printedLines(async () => {
      const answer = await convertBy(t, taro.customerId, { points: 100 });
      expect(answer.status, JSON.stringify(answer.body)).toBe(202);
      conversionId = String(answer.body.conversionId);
      await stack.stepFunctions.waitForExecution(executionOf(conversionId));
    });
    expect(logged).toContainEqual(
      expect.objectContaining({ level: "ERROR", alert: "needs_review", conversionId }),
    );
    expect((await t.conversions.getConversion(conversionId))?.status).toBe("needs_review");
    stack.smaregi.control.reset();
    const balance = t.posBalance(taro.posCustomerId);

    // Act: the wrong outcome first
    await admin.goto(`${api}/admin/#/reviews`);
    const item = admin.locator("article.parked", { hasText: conversionId });
    await expect.poll(() => item.count()).toBe(1);
    expect(await item.textContent()).toContain("Why it is parked");
    await item.getByLabel("The points were not taken (void the coupon)").check();
    await item.getByLabel("What you checked at the POS").fill("No subtraction in Smaregi");
    await item.getByRole("button", { name: "Resolve" }).click();

    // Assess: refused with the POS's evidence, nothing changed
    await expect.poll(() => item.locator(".alert-error").textContent()).toContain("The POS contradicts");
    expect((await t.conversions.getConversion(conversionId))?.status).toBe("needs_review");
    await screenshot(admin, "console-review-refused");

    // Act: what the POS shows
    await item.getByLabel("The points were taken (make the coupon usable)").check();
    await item.getByLabel("What you checked at the POS").fill("Smaregi lists the 100 point subtraction");
    await item.getByRole("button", { name: "Resolve" }).click();

    // Assess
    await expect.poll(() => item.locator(".alert-success").textContent()).toContain("Resolved: completed");
    expect(await t.conversions.getConversion(conversionId)).toMatchObject({
      status: "completed",
      resolvedBy: "ops@example.com",
      resolutionNote: "Smaregi lists the 100 point subtraction",
    });
    expect(t.posBalance(taro.posCustomerId)).toBe(balance);
    expect(await seriousViolations(admin)).toEqual([]);
  });

  it("resolves a parked point adjustment as the POS shows it, after refusing the wrong outcome", async () => {
    // Prepare: a grant lands on the POS, its answer is lost and the history cannot be read.
    stack.smaregi.control.setFaults([
      { operation: "addPoints", kind: "commit-then-timeout", count: 1 },
      { operation: "listTransactions", kind: "http503" },
    ]);
    let adjustmentId = "";
    const logged = await printedLines(async () => {
      const answer = await t.adminApi(`/v1/admin/customers/${taro.customerId}/point-adjustments`, {
        method: "POST",
        headers: { "content-type": "application/json", "idempotency-key": crypto.randomUUID() },
        body: JSON.stringify({ points: 200, reason: "goodwill" }),
      });
      const body = (await answer.json()) as Record<string, unknown>;
      expect(answer.status, JSON.stringify(body)).toBe(202);
      adjustmentId = String(body.adjustmentId);
    });
    expect(logged).toContainEqual(
      expect.objectContaining({ level: "ERROR", alert: "needs_review", adjustmentId }),
    );
    stack.smaregi.control.reset();
    const balance = t.posBalance(taro.posCustomerId);

    // Act: the wrong outcome first (the page may show the queues already: read them afresh)
    await admin.goto(`${api}/admin/#/reviews`);
    await admin.reload();
    const item = admin.locator("article.parked", { hasText: adjustmentId });
    await expect.poll(() => item.count()).toBe(1);
    await item.getByLabel("The POS does not show it (the same request may be sent again)").check();
    await item.getByLabel("What you checked at the POS").fill("No addition in Smaregi");
    await item.getByRole("button", { name: "Resolve" }).click();
    await expect.poll(() => item.locator(".alert-error").textContent()).toContain("The POS contradicts");

    // Act: what the POS shows
    await item.getByLabel("The POS shows the change (record it as applied)").check();
    await item.getByLabel("What you checked at the POS").fill("Smaregi lists the 200 point addition");
    await item.getByRole("button", { name: "Resolve" }).click();

    // Assess
    await expect.poll(() => item.locator(".alert-success").textContent()).toContain("Resolved: applied");
    const queue = (await (await t.adminApi("/v1/admin/point-adjustments")).json()) as {
      adjustments: Array<{ adjustmentId: string }>;
    };
    expect(queue.adjustments.map((adjustment) => adjustment.adjustmentId)).not.toContain(adjustmentId);
    expect(t.posBalance(taro.posCustomerId)).toBe(balance);
    expect(await seriousViolations(admin)).toEqual([]);
  });
});

describe("point grant", () => {
  it("shows the API's reason for a refused amount, then grants and shows the balance after", async () => {
    // Prepare
    const before = t.posBalance(taro.posCustomerId);
    await admin.goto(`${api}/admin/#/points`);
    await admin.getByLabel("Customer ID").fill(taroGid);
    await admin.getByLabel("Points (±)").fill("0");
    await admin.getByLabel("Reason").selectOption("goodwill");

    // Act: refused
    await admin.getByRole("button", { name: "Grant points" }).click();

    // Assess
    await expect.poll(() => admin.locator("#points-amount-error").textContent()).toBe("points must not be 0");
    expect(t.posBalance(taro.posCustomerId)).toBe(before);

    // Act
    await admin.getByLabel("Points (±)").fill("300");
    await admin.getByLabel("Note (optional)").fill("birthday goodwill");
    await admin.getByRole("button", { name: "Grant points" }).click();

    // Assess
    await expect.poll(() => admin.locator(".alert-success").textContent()).toContain("300 points applied");
    expect(t.posBalance(taro.posCustomerId)).toBe(before + 300);
    expect(await admin.locator(".alert-success").textContent()).toContain(
      `balance after: ${(before + 300).toLocaleString("en-US")}`,
    );
    await screenshot(admin, "console-point-grant");
  });

  it("repeats a grant whose answer never reached the page with the same key, so the points change once", async () => {
    // Prepare: the grant is applied, but the gateway answers 504 (as API Gateway does when the
    // function outlasts its 29 s) and the page never learns it.
    const before = t.posBalance(taro.posCustomerId);
    const sent = stack.smaregi.control.snapshot().calls.addPoints ?? 0;
    await admin.goto(`${api}/admin/#/points`);
    await admin.getByLabel("Customer ID").fill(taroGid);
    await admin.getByLabel("Points (±)").fill("120");
    await admin.getByLabel("Reason").selectOption("goodwill");
    await admin.route(
      "**/point-adjustments",
      async (route) => {
        await route.fetch();
        await route.fulfill({
          status: 504,
          contentType: "application/json",
          body: JSON.stringify({ message: "Endpoint request timed out" }),
        });
      },
      { times: 1 },
    );

    // The browser reports the 504 this test makes; any other problem still fails the suite.
    const problems = pageProblems(admin);
    const known = problems.length;
    try {
      // Act
      await admin.getByRole("button", { name: "Grant points" }).click();
      await expect.poll(() => admin.locator("p.hint").last().textContent()).toContain("at most once");
      await screenshot(admin, "console-point-grant-repeat");
      const afterFirst = t.posBalance(taro.posCustomerId);
      await admin.getByRole("button", { name: "Grant points" }).click();

      // Assess
      await expect.poll(() => admin.locator(".alert-success").textContent()).toContain("120 points applied");
      expect(afterFirst).toBe(before + 120);
      expect(t.posBalance(taro.posCustomerId)).toBe(before + 120);
      expect(stack.smaregi.control.snapshot().calls.addPoints).toBe(sent + 1);
      expect(problems.slice(known)).toEqual([expect.stringContaining("status of 504")]);
    } finally {
      const made = problems.findIndex((line, index) => index >= known && line.includes("status of 504"));
      if (made >= 0) problems.splice(made, 1);
    }
  });
});

describe("a cancellation whose refund answer is lost", () => {
  it("is shown as parked, then resolved from the cancellation queue", async () => {
    // Prepare: the POS applies the refund but its answer is lost, and its history cannot be read
    const code = await converted(100);
    const balance = t.posBalance(taro.posCustomerId);
    stack.ses.emails.clear();
    await admin.goto(`${api}/admin/#/coupons/${code}`);
    stack.smaregi.control.setFaults([
      { operation: "addPoints", kind: "commit-then-timeout", count: 1 },
      { operation: "listTransactions", kind: "http503" },
    ]);

    // Act
    let cancellationId = "";
    const logged = await printedLines(async () => {
      await admin.getByRole("button", { name: "Cancel coupon…" }).click();
      await admin.getByRole("dialog").getByRole("button", { name: "Yes, cancel and refund" }).click();
      const pending = admin.locator(".alert-info");
      await expect
        .poll(() => pending.textContent(), { timeout: 25_000 })
        .toContain("still running (needs_review)");
      cancellationId = /ID is (\S+)\./.exec((await pending.textContent()) ?? "")?.[1] ?? "";
      await stack.stepFunctions.waitForExecution(
        `${String(stack.environment.CANCEL_STATE_MACHINE_ARN).replace(":stateMachine:", ":execution:")}:${cancellationId}`,
      );
    });
    stack.smaregi.control.reset();

    // Assess: parked, the admins alerted, the coupon held
    expect(logged).toContainEqual(expect.objectContaining({ level: "ERROR", alert: "needs_review" }));
    expect((await t.coupons.getCoupon(code))?.status).toBe("inactive");
    await admin.reload();
    await expect
      .poll(() => admin.locator("section[aria-labelledby=cancel-heading]").textContent())
      .toContain("held while staff check");

    // Act: the POS shows the refund
    await admin.goto(`${api}/admin/#/reviews`);
    const item = admin.locator("article.parked", { hasText: cancellationId });
    await expect.poll(() => item.count()).toBe(1);
    await item.getByLabel("The points were refunded (the cancellation stands)").check();
    await item.getByLabel("What you checked at the POS").fill("Smaregi lists the 100 point addition");
    await item.getByRole("button", { name: "Resolve" }).click();

    // Assess
    await expect.poll(() => item.locator(".alert-success").textContent()).toContain("Resolved: cancelled");
    expect((await t.coupons.getCoupon(code))?.status).toBe("cancelled");
    expect(t.posBalance(taro.posCustomerId)).toBe(balance + 100);
    expect(stack.ses.emails.list({ to: "taro.yamada@example.com" })).toHaveLength(1);
    await screenshot(admin, "console-review-cancellation-resolved");
  });
});

describe("reward catalog", () => {
  it("shows the API's validation message at the field, then saves the fixed rule", async () => {
    // Prepare
    await admin.goto(`${api}/admin/#/rewards`);
    await admin.getByRole("link", { name: "Edit yen-500-off" }).click();
    await expect.poll(() => admin.locator("h1").textContent()).toBe("Edit reward yen-500-off");

    // Act: a percentage on an amount-off coupon
    await admin.getByLabel("Percentage").fill("10");
    await admin.getByRole("button", { name: "Save" }).click();

    // Assess
    await expect
      .poll(() => admin.locator("#reward-coupon-percentage-error").textContent())
      .toBe("does not apply to a fixed_discount coupon");
    await expect.poll(() => admin.getByLabel("Percentage").getAttribute("aria-invalid")).toBe("true");
    expect(await seriousViolations(admin)).toEqual([]);
    await screenshot(admin, "console-reward-invalid");
    const unchanged = (await (await t.adminApi("/v1/admin/rewards/yen-500-off")).json()) as {
      version: number;
    };
    expect(unchanged.version).toBe(1);

    // Act: fixed
    await admin.getByLabel("Percentage").fill("");
    await admin.getByLabel("Name (English)").fill("¥500 off your next order");
    await admin.getByRole("button", { name: "Save" }).click();

    // Assess
    await expect.poll(() => admin.locator(".alert-success").textContent()).toBe("Saved (version 2).");
    expect(await admin.locator(".field-error").count()).toBe(0);
    const saved = (await (await t.adminApi("/v1/admin/rewards/yen-500-off")).json()) as Record<
      string,
      unknown
    >;
    expect(saved).toMatchObject({
      version: 2,
      name: { en: "¥500 off your next order" },
      updatedBy: "ops@example.com",
    });
    expect((saved.coupon as Record<string, unknown>).percentage).toBeUndefined();
  });

  it("creates a rule, naming a missing field as the API does", async () => {
    // Prepare
    await admin.goto(`${api}/admin/#/rewards`);
    await admin.getByRole("link", { name: "New reward" }).click();
    await admin.getByLabel("Reward ID (optional; generated when empty)").fill("birthday-shipping");
    await admin.getByLabel("Name (Japanese)").fill("誕生日の送料無料");
    await admin.getByLabel("Name (English)").fill("Birthday free shipping");
    await admin.getByLabel("Description (Japanese)").fill("誕生月の送料が無料");
    await admin.getByLabel("Coupon type").selectOption("free_shipping");
    await admin.getByLabel("Points", { exact: true }).fill("200");

    // Act: the English description is missing
    await admin.getByRole("button", { name: "Save" }).click();

    // Assess
    await expect.poll(() => admin.locator("#reward-description-en-error").textContent()).toMatch(/\S/);
    expect((await t.adminApi("/v1/admin/rewards/birthday-shipping")).status).toBe(404);

    // Act
    await admin.getByLabel("Description (English)").fill("Free shipping in your birthday month");
    await admin.getByRole("button", { name: "Save" }).click();

    // Assess
    await expect
      .poll(() => admin.locator(".alert-success").textContent())
      .toBe("Reward birthday-shipping created. Customers see it while it is active.");
    expect(admin.url()).toContain("#/rewards/birthday-shipping");
    const created = (await (await t.adminApi("/v1/admin/rewards/birthday-shipping")).json()) as Record<
      string,
      unknown
    >;
    expect(created).toMatchObject({
      version: 1,
      active: true,
      cost: { kind: "fixed", points: 200 },
      coupon: { type: "free_shipping" },
      createdBy: "ops@example.com",
    });
  });
});

describe("Japanese and signing out", () => {
  it("speaks Japanese to a Japanese browser, and signs out through the issuer's logout", async () => {
    // Act
    const page = await open("admin", { locale: "ja-JP", hash: `#/coupons/${codes.cancel}` });

    // Assess
    await expect.poll(() => page.locator("h1").textContent()).toBe(`クーポン ${codes.cancel}`);
    expect(await page.locator("header .role").textContent()).toBe("権限: 管理者（閲覧と変更）");
    expect(await page.locator("html").getAttribute("lang")).toBe("ja");
    expect(await page.locator("section[aria-labelledby=cancel-heading]").textContent()).toContain(
      "すでに取り消されています",
    );
    expect(await seriousViolations(page)).toEqual([]);
    await screenshot(page, "console-detail-ja");

    // Act
    await page.getByRole("button", { name: "サインアウト" }).click();

    // Assess: the session is gone, so the console asks the issuer again
    await page.waitForURL(/\/admin-issuer\/oauth2\/authorize/);
    await page.context().close();
  });
});
