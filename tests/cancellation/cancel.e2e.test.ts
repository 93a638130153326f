import { randomUUID } from "node:crypto";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { demoCredentials, demoShop } from "../../infra/local/demo-data";
import { deliverWebhook } from "../../infra/local/shopify/webhooks";
import { COUPON_RECORD_KEY, COUPON_RECORD_NAMESPACE } from "../../shared/adapters/shopify/coupon-records";
import type { AdminRole } from "../../shared/auth/admin";
import { cancellationIdOf } from "../../shared/cancellation/records";
import { expectAlerts } from "../support/expected-logs";
import { taro, useTestStack } from "../support/local-stack";

/**
 * Coupon cancellation by shop staff, through the admin route, the real ASL on the local Step
 * Functions endpoint, the Shopify and Smaregi emulators (faults injected there), the local SES
 * and DynamoDB Local.
 */
const t = await useTestStack();
const { stack } = t;

const hanako = { customerId: "8840734670935", posCustomerId: "1002" } as const;
const admin = "ops@example.com";

interface EmulatedDiscount {
  code: string;
  status: string;
  endsAt: string | null;
  asyncUsageCount: number;
}
const discountOf = async (code: string) => {
  const listed = (await (await fetch(`${stack.urls.shopify}/_control/discounts`)).json()) as {
    discounts: EmulatedDiscount[];
  };
  return listed.discounts.find((discount) => discount.code === code);
};

/** A checkout that redeems the code on the Shopify emulator (raises its asyncUsageCount). */
const placeOrder = (code: string, customerId = taro.customerId) =>
  fetch(`${stack.urls.shopify}/_control/orders`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ code, customerId }),
  });

/** Points added back (division 6) since the test began; the demo history has an older one. */
let testStartedAt = new Date();
const refundsOf = (posCustomerId: string) =>
  stack.smaregi.store.listTransactions({
    customerId: posCustomerId,
    division: "6",
    from: new Date(testStartedAt.getTime() - 1000),
  });

async function convertedCode(customerId: string = taro.customerId, points = 500): Promise<string> {
  const { status, body } = await t.convert(customerId, points);
  expect(status).toBe(201);
  const conversionId = String(body.conversionId);
  // The metafield save runs after the answer; let it finish so it cannot race the cancellation's.
  await stack.stepFunctions.waitForExecution(
    `${String(stack.environment.CONVERT_STATE_MACHINE_ARN).replace(":stateMachine:", ":execution:")}:${conversionId}`,
  );
  return (body.coupon as { code: string }).code;
}

interface CancelOptions {
  reason?: string;
  note?: string;
  key?: string;
  role?: AdminRole;
  email?: string;
}

async function cancel(code: string, options: CancelOptions = {}) {
  const response = await t.adminApi(`/v1/admin/coupons/${code}/cancel`, {
    method: "POST",
    role: options.role ?? "admin",
    email: options.email ?? admin,
    headers: { "content-type": "application/json", "idempotency-key": options.key ?? randomUUID() },
    body: JSON.stringify({
      reason: options.reason ?? "customer_request",
      ...(options.note ? { note: options.note } : {}),
    }),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

/** Waits for the whole saga of (code, key), the customer record and the email included. */
const settled = (code: string, key: string) =>
  stack.stepFunctions.waitForExecution(
    `${String(stack.environment.CANCEL_STATE_MACHINE_ARN).replace(":stateMachine:", ":execution:")}:${cancellationIdOf(code, key)}`,
  );

const cancellationTrail = async (code: string) =>
  (await t.audit.listAuditEvents({ type: "coupon", id: code })).filter(
    (event) => event.data?.cancellationId !== undefined,
  );
const typesOf = (events: Awaited<ReturnType<typeof cancellationTrail>>) =>
  events.map((event) => `${event.type}:${event.outcome}`);

// A saga keeps going after the API answers (record, email): let it end before the next test's
// faults and resets, so no test sees another's mail or calls.
afterEach(async () => {
  const running = stack.stepFunctions
    .listAllExecutions()
    .filter((execution) => execution.status === "RUNNING");
  await Promise.all(running.map((execution) => stack.stepFunctions.waitForExecution(execution.executionArn)));
});

beforeEach(() => {
  stack.smaregi.control.reset();
  stack.smaregi.store.reset();
  stack.shopify.control.reset();
  stack.shopify.store.reset();
  stack.ses.control.reset();
  stack.ses.emails.clear();
  testStartedAt = new Date();
});

describe("cancelling an unused coupon", () => {
  it("happy path: code deactivated, points back, customer emailed in Japanese, every step audited with who and why", async () => {
    // Prepare
    const code = await convertedCode();
    expect(t.posBalance(taro.posCustomerId)).toBe(750);
    const key = randomUUID();

    // Act
    const { status, body } = await cancel(code, {
      key,
      reason: "converted_by_mistake",
      note: "asked at the counter",
    });

    // Assess
    expect(status).toBe(200);
    expect(body).toMatchObject({
      status: "cancelled",
      code,
      refundedPoints: 500,
      balanceAfter: 1250,
      cancelledBy: admin,
      reason: "converted_by_mistake",
      note: "asked at the counter",
    });
    expect(t.posBalance(taro.posCustomerId)).toBe(1250);
    expect(refundsOf(taro.posCustomerId)).toHaveLength(1);
    expect((await discountOf(code))?.status).not.toBe("ACTIVE");

    const coupon = await t.coupons.getCoupon(code);
    expect(coupon).toMatchObject({
      status: "cancelled",
      cancelledBy: admin,
      cancelReason: "converted_by_mistake",
      cancelNote: "asked at the counter",
    });
    expect(coupon?.cancelledAt).toBeDefined();
    expect(coupon?.refundTransactionHeadIds).toEqual([refundsOf(taro.posCustomerId)[0]?.transactionHeadId]);

    expect((await settled(code, key)).status).toBe("SUCCEEDED");
    const [mail, ...others] = stack.ses.emails.list({ to: "taro.yamada@example.com" });
    expect(others).toHaveLength(0);
    expect(mail?.subject).toBe("クーポンが取り消されました");
    expect(mail?.text).toContain(code);
    expect(mail?.text).toContain("500ポイントを返還しました");
    expect(mail?.text).toContain("ご不明な点がございましたらお問い合わせください。");
    expect(mail?.html).toContain(code);
    expect(mail?.html).toContain("500ポイントを返還しました");

    const record = stack.shopify.store.getMetafield(
      `gid://shopify/Customer/${taro.customerId}`,
      COUPON_RECORD_NAMESPACE,
      COUPON_RECORD_KEY,
    );
    expect(JSON.parse(record?.value ?? "{}")).toMatchObject({ coupons: [{ code, status: "cancelled" }] });

    const trail = await cancellationTrail(code);
    expect(typesOf(trail)).toEqual([
      "cancellation.requested:succeeded",
      "cancellation.checked:succeeded",
      "coupon.deactivated:succeeded",
      "usage.rechecked:succeeded",
      "points.refunded:succeeded",
      "coupon.cancelled:succeeded",
      "coupon_record.saved:succeeded",
      "customer.notified:succeeded",
    ]);
    for (const event of trail) expect(event.actor).toEqual({ kind: "admin", id: `admin:${admin}` });
    const cancelled = trail.find((event) => event.type === "coupon.cancelled");
    expect(cancelled?.data).toMatchObject({ cancelledBy: admin, reason: "converted_by_mistake" });
    expect(cancelled?.externalIds?.smaregiTransactionHeadIds).toEqual(coupon?.refundTransactionHeadIds);
    expect(cancelled?.externalIds?.shopifyDiscountId).toBe(coupon?.discountId);
  });

  it("emails an English-speaking customer in English", async () => {
    // Prepare
    stack.smaregi.store.setPoints(hanako.posCustomerId, { point: 1000 });
    const code = await convertedCode(hanako.customerId, 500);
    const key = randomUUID();

    // Act
    const { status } = await cancel(code, { key });

    // Assess
    expect(status).toBe(200);
    await settled(code, key);
    const [mail] = stack.ses.emails.list({ to: "hanako.suzuki@example.com" });
    expect(mail?.subject).toBe("Your coupon has been cancelled");
    expect(mail?.text).toContain(code);
    expect(mail?.text).toContain("500 points have been refunded");
    expect(mail?.text).toContain("Please contact us if you have any questions.");
    expect(t.posBalance(hanako.posCustomerId)).toBe(1000);
  });
});

describe("a coupon used at checkout", () => {
  it("is refused with 409 already_used and nothing is refunded", async () => {
    // Prepare
    const code = await convertedCode();
    expect((await placeOrder(code)).status).toBe(201);

    // Act
    const { status, body } = await cancel(code);

    // Assess
    expect(status).toBe(409);
    expect(body).toMatchObject({ code: "already_used" });
    expect(t.posBalance(taro.posCustomerId)).toBe(750);
    expect(refundsOf(taro.posCustomerId)).toHaveLength(0);
    expect((await t.coupons.getCoupon(code))?.status).toBe("used");
    expect(stack.ses.emails.list({ to: "taro.yamada@example.com" })).toHaveLength(0);
    // Once it is recorded as used, the precheck refuses without starting anything.
    expect((await cancel(code)).body).toMatchObject({ code: "already_used" });
  });

  it("a checkout racing the cancellation wins: no refund, the coupon is used", async () => {
    // Prepare: the deactivation is slow, and the order is placed while it is on its way.
    const code = await convertedCode();
    stack.shopify.control.setLatency({ discountCodeDeactivate: 400 });

    // Act
    const cancelling = cancel(code);
    await expect
      // Its first steps may be the first to load their clients in this process: wait as long as it takes.
      .poll(() => stack.shopify.control.snapshot().calls.discountCodeDeactivate ?? 0, {
        interval: 10,
        timeout: 10_000,
      })
      .toBeGreaterThan(0);
    const order = await placeOrder(code);
    const { status, body } = await cancelling;

    // Assess
    expect(order.status).toBe(201);
    expect(status).toBe(409);
    expect(body).toMatchObject({ code: "already_used" });
    expect(t.posBalance(taro.posCustomerId)).toBe(750);
    expect(refundsOf(taro.posCustomerId)).toHaveLength(0);
    expect(stack.smaregi.control.snapshot().calls.addPoints ?? 0).toBe(1);
    expect((await t.coupons.getCoupon(code))?.status).toBe("used");
    expect(typesOf(await cancellationTrail(code))).toContain("cancellation.stopped:skipped");
  });
});

describe("a coupon used at checkout while Shopify's usage count lags", () => {
  // `asyncUsageCount` "might be lower than the actual usage count" (Shopify's schema); the order
  // webhooks are the reliable signal.
  const lagUsageCount = () =>
    fetch(`${stack.urls.shopify}/_control/usage-count-lag`, {
      method: "PUT",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ ms: 60_000 }),
    });

  it("is still refused with 409 already_used once the order webhook arrived", async () => {
    // Prepare
    const code = await convertedCode();
    expect((await lagUsageCount()).status).toBe(200);
    expect((await placeOrder(code)).status).toBe(201);
    expect((await discountOf(code))?.asyncUsageCount).toBe(0);

    // Act
    const { status, body } = await cancel(code);

    // Assess
    expect(status).toBe(409);
    expect(body).toMatchObject({ code: "already_used" });
    expect(refundsOf(taro.posCustomerId)).toHaveLength(0);
    expect((await t.coupons.getCoupon(code))?.status).toBe("used");
  });

  it("is refunded when the webhook is late too, and the late webhook alerts the admins", async () => {
    // Prepare: neither the count nor a webhook shows the order yet
    const code = await convertedCode();
    await lagUsageCount();
    const placed = await fetch(`${stack.urls.shopify}/_control/orders`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ code, customerId: taro.customerId, webhookUrl: "http://127.0.0.1:9/late" }),
    });
    const { order } = (await placed.json()) as { order: unknown };
    const alerts = expectAlerts("needs_review");

    // Act: the cancellation cannot know; then the order webhook arrives
    const cancelled = await cancel(code);
    const late = await deliverWebhook(
      `${stack.urls.api}/v1/webhooks/shopify`,
      "orders/paid",
      order,
      { appSecret: demoCredentials.shopifyAppSecret, shopDomain: demoShop.domain, apiVersion: "2026-10" },
      new Date(),
    );

    // Assess: refunded once, the coupon stays cancelled, and the use is reported for review
    expect(cancelled.status).toBe(200);
    expect(refundsOf(taro.posCustomerId)).toHaveLength(1);
    expect(late.status).toBe(200);
    expect((await t.coupons.getCoupon(code))?.status).toBe("cancelled");
    expect(typesOf(await t.audit.listAuditEvents({ type: "coupon", id: code }))).toContain(
      "coupon.used_while_cancelled:failed",
    );
    expect(
      stack.ses.emails
        .list({ to: "ops@example.com" })
        .map((mail) => mail.subject)
        .join(),
    ).toContain(code);
    expect(alerts.lines).toEqual([expect.objectContaining({ code })]);
  });
});

describe("cancelling twice", () => {
  it("one after the other with different keys: one refund, then 409 already_cancelled", async () => {
    const code = await convertedCode();

    const first = await cancel(code);
    const second = await cancel(code);

    expect(first.status).toBe(200);
    expect(second.status).toBe(409);
    expect(second.body).toMatchObject({ code: "already_cancelled" });
    expect(t.posBalance(taro.posCustomerId)).toBe(1250);
    expect(refundsOf(taro.posCustomerId)).toHaveLength(1);
  });

  it("at the same time with different keys: one refund, the other refused", async () => {
    const code = await convertedCode();

    const answers = await Promise.all([cancel(code), cancel(code), cancel(code)]);

    const statuses = answers.map((answer) => answer.status).sort();
    expect(statuses).toEqual([200, 409, 409]);
    for (const refused of answers.filter((answer) => answer.status === 409)) {
      expect(["cancellation_in_progress", "already_cancelled"]).toContain(refused.body.code);
    }
    expect(t.posBalance(taro.posCustomerId)).toBe(1250);
    expect(refundsOf(taro.posCustomerId)).toHaveLength(1);
  });

  it("a replayed request (same key) gets the same answer, also concurrently, and refunds once", async () => {
    const code = await convertedCode();
    const key = randomUUID();

    const [first, concurrent] = await Promise.all([cancel(code, { key }), cancel(code, { key })]);
    const later = await cancel(code, { key });

    expect(first.status).toBe(200);
    expect(concurrent).toEqual(first);
    expect(later).toEqual(first);
    expect(refundsOf(taro.posCustomerId)).toHaveLength(1);
    expect(stack.smaregi.control.snapshot().calls.addPoints).toBe(2); // the conversion's and the refund
    // The same key for a different request is refused rather than answered with the first result.
    const reused = await cancel(code, { key, reason: "fraud" });
    expect(reused.status).toBe(422);
    expect(reused.body).toMatchObject({ code: "idempotency_key_reused" });
  });
});

describe("when the refund's outcome is unknown", () => {
  it("reconciles a refund the POS applied without answering: cancelled, exactly one refund", async () => {
    // Prepare
    const code = await convertedCode();
    stack.smaregi.control.setFaults([{ operation: "addPoints", kind: "commit-then-timeout", count: 1 }]);

    // Act
    const { status, body } = await cancel(code);

    // Assess
    expect(status).toBe(200);
    expect(body).toMatchObject({ status: "cancelled", refundedPoints: 500, balanceAfter: 1250 });
    expect(t.posBalance(taro.posCustomerId)).toBe(1250);
    const refunds = refundsOf(taro.posCustomerId);
    expect(refunds).toHaveLength(1);
    expect(stack.smaregi.control.snapshot().calls.addPoints).toBe(2);
    const coupon = await t.coupons.getCoupon(code);
    expect(coupon?.status).toBe("cancelled");
    expect(coupon?.refundTransactionHeadIds).toEqual([refunds[0]?.transactionHeadId]);
    const trail = typesOf(await cancellationTrail(code));
    expect(trail).toContain("points.refunded:unknown");
    expect(trail).toContain("refund.reconciled:succeeded");
    expect(trail).toContain("coupon.cancelled:succeeded");
  });

  it("refunds once more after proof that nothing was applied, and never twice", async () => {
    // Prepare: the first refund is lost before the POS applies it.
    const code = await convertedCode();
    stack.smaregi.control.setFaults([{ operation: "addPoints", kind: "timeout", count: 1 }]);

    // Act
    const { status, body } = await cancel(code);

    // Assess
    expect(status).toBe(200);
    expect(body).toMatchObject({ status: "cancelled", balanceAfter: 1250 });
    expect(t.posBalance(taro.posCustomerId)).toBe(1250);
    expect(refundsOf(taro.posCustomerId)).toHaveLength(1);
    expect(stack.smaregi.control.snapshot().calls.addPoints).toBe(3);
    expect(typesOf(await cancellationTrail(code))).toEqual(
      expect.arrayContaining([
        "points.refunded:unknown",
        "refund.reconciled:succeeded",
        "points.refunded:succeeded",
        "coupon.cancelled:succeeded",
      ]),
    );
  });

  it("takes back the extra points when the lost first refund lands after the second: refunded once", async () => {
    // Prepare: the POS queues the first refund and applies it 3.5 s later, after its reconciliation
    // found nothing once it could no longer land (twice the 800 ms write timeout) and the second
    // attempt was answered.
    const code = await convertedCode();
    const key = randomUUID();
    stack.smaregi.control.setFaults([
      { operation: "addPoints", kind: "late-commit", delayMs: 3_500, count: 1 },
    ]);

    // Act
    const { status, body } = await cancel(code, { key });
    await settled(code, key);

    // Assess: the admin saw it cancelled; in the end the customer got the 500 points back once.
    expect(status).toBe(200);
    expect(body).toMatchObject({ status: "cancelled", refundedPoints: 500 });
    const refunds = refundsOf(taro.posCustomerId);
    expect(refunds).toHaveLength(2);
    expect(t.posBalance(taro.posCustomerId)).toBe(1250);
    // The coupon owns both additions, so no other record's reconciliation takes the late one.
    const coupon = await t.coupons.getCoupon(code);
    expect(coupon?.status).toBe("cancelled");
    expect(new Set(coupon?.refundTransactionHeadIds)).toEqual(
      new Set(refunds.map((tx) => tx.transactionHeadId)),
    );
    const events = await cancellationTrail(code);
    const trail = typesOf(events);
    const told = events.map((event) => `${event.at} ${event.type}:${event.outcome} ${event.detail ?? ""}`);
    expect(trail, told.join("\n")).toContain("points.refunded_late:succeeded");
    expect(trail.at(-1), told.join("\n")).toBe("points.taken_back:succeeded");
  });

  it("never takes a staff grant of the same size for its own lost refund", async () => {
    // Prepare: staff grant 500 points by hand, then the cancellation's refund of 500 is lost
    // before the POS applies it.
    const code = await convertedCode();
    const grant = await t.adminApi(`/v1/admin/customers/${taro.customerId}/point-adjustments`, {
      method: "POST",
      headers: { "content-type": "application/json", "idempotency-key": randomUUID() },
      body: JSON.stringify({ points: 500, reason: "goodwill" }),
    });
    expect(grant.status).toBe(201);
    expect(t.posBalance(taro.posCustomerId)).toBe(1250);
    stack.smaregi.control.setFaults([{ operation: "addPoints", kind: "timeout", count: 1 }]);

    // Act
    const { status, body } = await cancel(code);

    // Assess: the grant is the staff's; the customer still gets the coupon's points back.
    expect(status).toBe(200);
    expect(body).toMatchObject({ status: "cancelled", balanceAfter: 1750 });
    expect(t.posBalance(taro.posCustomerId)).toBe(1750);
  });

  it("never takes another member's addition of the same size for its own lost refund", async () => {
    // Prepare: moments before, another member was given 500 points at the till; then the
    // cancellation's refund of 500 is lost before the POS applies it.
    const code = await convertedCode();
    expect(stack.smaregi.store.addPoints(hanako.posCustomerId, 500).kind).toBe("applied");
    stack.smaregi.control.setFaults([{ operation: "addPoints", kind: "timeout", count: 1 }]);

    // Act
    const { status, body } = await cancel(code);

    // Assess: Hanako's addition is not Taro's refund; Taro gets his points back, once.
    expect(status).toBe(200);
    expect(body).toMatchObject({ status: "cancelled", balanceAfter: 1250 });
    expect(t.posBalance(taro.posCustomerId)).toBe(1250);
    expect(refundsOf(taro.posCustomerId)).toHaveLength(1);
    expect(t.posBalance(hanako.posCustomerId)).toBe(500);
  });

  it("parks the cancellation for review, code inactive and admins alerted, when the POS cannot tell", async () => {
    // Prepare: the refund's answer is lost and the POS history cannot be read afterwards.
    const code = await convertedCode();
    stack.smaregi.control.setFaults([
      { operation: "addPoints", kind: "timeout", count: 1 },
      { operation: "listTransactions", kind: "http503" },
    ]);
    const key = randomUUID();
    const alerts = expectAlerts("needs_review");

    // Act
    const { status, body } = await cancel(code, { key });

    // Assess
    expect(status).toBe(202);
    expect(body).toMatchObject({ status: "needs_review", code });
    expect((await settled(code, key)).status).toBe("FAILED");
    expect(alerts.lines).toEqual([expect.objectContaining({ code })]);
    expect((await t.coupons.getCoupon(code))?.status).toBe("inactive");
    expect((await discountOf(code))?.status).not.toBe("ACTIVE");
    expect(t.posBalance(taro.posCustomerId)).toBe(750);
    const [alert] = stack.ses.emails.list({ to: admin });
    expect(alert?.subject).toContain("needs_review");
    expect(alert?.text).toContain(code);
    expect(typesOf(await cancellationTrail(code))).toContain("cancellation.needs_review:unknown");
    // Parked coupons wait for an operator; another cancel cannot slip past.
    expect((await cancel(code)).body).toMatchObject({ code: "coupon_not_active" });
    // The review queue shows it to any staff member, with why.
    const queue = (await (await t.adminApi("/v1/admin/cancellations", { role: "viewer" })).json()) as {
      cancellations: Array<{
        cancellationId: string;
        code: string;
        reviewReason?: string;
        requestHash?: string;
      }>;
    };
    const parked = queue.cancellations.find((entry) => entry.cancellationId === cancellationIdOf(code, key));
    expect(parked).toMatchObject({ code, status: "needs_review" });
    expect(parked?.reviewReason).toMatch(/^refund outcome unknown and the POS could not be read/);
    expect(parked?.requestHash).toBeUndefined();
    const done = (await (await t.adminApi("/v1/admin/cancellations?status=cancelled")).json()) as {
      cancellations: Array<{ code: string }>;
    };
    expect(done.cancellations.map((entry) => entry.code)).not.toContain(code);
  });

  it("gives the coupon back when the POS certainly refused the refund, so the admin can try again", async () => {
    // Prepare: a throttled point change is refused before anything is applied.
    const code = await convertedCode();
    stack.smaregi.control.setFaults([{ operation: "addPoints", kind: "throttle", count: 1 }]);

    // Act
    const refused = await cancel(code);

    // Assess
    expect(refused.status).toBe(503);
    expect(refused.body).toMatchObject({ code: "pos_unavailable" });
    const coupon = await t.coupons.getCoupon(code);
    expect(coupon?.status).toBe("active");
    expect((await discountOf(code))?.status).toBe("ACTIVE");
    // Shopify's activate leaves no end date; the coupon's own is set again (whole seconds).
    expect(Date.parse((await discountOf(code))?.endsAt ?? "never")).toBe(
      Math.floor(Date.parse(String(coupon?.expiresAt)) / 1000) * 1000,
    );
    expect(t.posBalance(taro.posCustomerId)).toBe(750);
    const retried = await cancel(code);
    expect(retried.status).toBe(200);
    expect(t.posBalance(taro.posCustomerId)).toBe(1250);
    expect(refundsOf(taro.posCustomerId)).toHaveLength(1);
  });
});

describe("when the customer cannot be emailed", () => {
  it("retries, then alerts the admins; the cancellation stands", async () => {
    // Prepare: SES refuses every message (the admin alert too, which is best effort).
    const code = await convertedCode();
    stack.ses.control.setFaults([{ operation: "SendEmail", kind: "http503" }]);
    const key = randomUUID();
    // Both the alert and its own email's failure are logged.
    const alerts = expectAlerts("email_not_sent");

    // Act
    const { status } = await cancel(code, { key });

    // Assess
    expect(status).toBe(200);
    expect((await settled(code, key)).status).toBe("SUCCEEDED");
    expect(stack.ses.emails.list({ to: "taro.yamada@example.com" })).toHaveLength(0);
    // The first try and the state machine's 3 retries, each with the SDK's own retries.
    expect(stack.ses.control.snapshot().calls.SendEmail ?? 0).toBeGreaterThan(4);
    expect((await t.coupons.getCoupon(code))?.status).toBe("cancelled");
    expect(t.posBalance(taro.posCustomerId)).toBe(1250);
    const failed = (await cancellationTrail(code)).find((event) => event.type === "customer.notified");
    expect(failed?.outcome).toBe("failed");
    expect(failed?.detail).toContain("the cancellation stands");
    expect(alerts.lines).toContainEqual(
      expect.objectContaining({ code, message: "A customer was not told that their coupon was cancelled" }),
    );
  });
});

describe("who may cancel, and with what", () => {
  it("lists cancellations by status for staff only, naming a wrong status", async () => {
    const code = await convertedCode();
    expect((await cancel(code)).status).toBe(200);

    const cancelled = (await (
      await t.adminApi("/v1/admin/cancellations?status=cancelled&limit=5")
    ).json()) as {
      cancellations: Array<{ code: string; cancelledBy: string }>;
    };
    const wrong = await t.adminApi("/v1/admin/cancellations?status=maybe", { role: "viewer" });
    const asCustomer = await t.api("/v1/admin/cancellations", { customerId: taro.customerId });

    expect(cancelled.cancellations[0]).toMatchObject({ code, cancelledBy: admin });
    expect(wrong.status).toBe(400);
    expect(((await wrong.json()) as { detail: string }).detail).toMatch(/status/);
    expect(asCustomer.status).toBe(401);
  });

  it("refuses a viewer with 403, a customer token and no token with 401", async () => {
    const code = await convertedCode();
    const request = {
      method: "POST",
      headers: { "content-type": "application/json", "idempotency-key": randomUUID() },
      body: JSON.stringify({ reason: "other" }),
    };

    const viewer = await cancel(code, { role: "viewer" });
    const customer = await t.api(`/v1/admin/coupons/${code}/cancel`, {
      ...request,
      customerId: taro.customerId,
    });
    const anonymous = await t.api(`/v1/admin/coupons/${code}/cancel`, request);

    expect(viewer.status).toBe(403);
    expect(viewer.body).toMatchObject({ code: "forbidden" });
    expect(customer.status).toBe(401);
    expect(anonymous.status).toBe(401);
    expect((await t.coupons.getCoupon(code))?.status).toBe("active");
    expect(t.posBalance(taro.posCustomerId)).toBe(750);
  });

  it("answers 400 naming the field for a bad reason, 400 without Idempotency-Key, 404 for an unknown code", async () => {
    const code = await convertedCode();

    const badReason = await cancel(code, { reason: "bored" });
    const noKey = await t.adminApi(`/v1/admin/coupons/${code}/cancel`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ reason: "other" }),
    });
    const unknown = await cancel("00000-NOPE00-500");

    expect(badReason.status).toBe(400);
    expect(badReason.body).toMatchObject({ code: "invalid_cancellation" });
    expect(String(badReason.body.detail)).toContain("reason");
    expect(noKey.status).toBe(400);
    expect(await noKey.json()).toMatchObject({ code: "idempotency_key_required" });
    expect(unknown.status).toBe(404);
    expect(unknown.body).toMatchObject({ code: "coupon_not_found" });
    expect((await t.coupons.getCoupon(code))?.status).toBe("active");
  });
});
