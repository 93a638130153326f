import { randomUUID } from "node:crypto";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocument } from "@aws-sdk/lib-dynamodb";
import { afterAll, afterEach, beforeEach, describe, expect, inject, it } from "vitest";
import { localDynamoDbClientConfig } from "../../infra/local/dynamodb";
import type { FaultRule } from "../../infra/local/emulation/control";
import { DynamoCancellationStore } from "../../shared/adapters/dynamodb/cancellations";
import { COUPON_RECORD_KEY, COUPON_RECORD_NAMESPACE } from "../../shared/adapters/shopify/coupon-records";
import { cancellationIdOf } from "../../shared/cancellation/records";
import { type StaffRole, staffApi } from "../admin/staff";
import { expectAlerts } from "../support/expected-logs";
import { taro, useTestStack } from "../support/local-stack";

/**
 * Staff resolve cancellations the saga parked as needs_review, on the whole local stack: the POS
 * is read for evidence and never written, the cancellation stands (customer record and email) or
 * the coupon is given back (code live again on the Shopify emulator), and the cancellation, its
 * coupon and the audit trail record who decided what.
 */
const t = await useTestStack();
const { stack } = t;
const asStaff = staffApi(stack.urls.api);
const documents = DynamoDBDocument.from(
  new DynamoDBClient(localDynamoDbClientConfig(inject("dynamoEndpoint"))),
);
const cancellations = new DynamoCancellationStore({ client: documents, tableName: t.names.loyalty });
afterAll(() => documents.destroy());

const admin = "ops@example.com";
const customerEmail = "taro.yamada@example.com";
/** The stack's POS write timeout is 800 ms: a lost refund may land up to twice that later. */
const refundSettleMs = 2 * 800;

let testStartedAt = new Date();
beforeEach(() => {
  stack.smaregi.control.reset();
  stack.smaregi.store.reset();
  stack.shopify.control.reset();
  stack.shopify.store.reset();
  stack.ses.control.reset();
  stack.ses.emails.clear();
  testStartedAt = new Date();
});
// A saga keeps going after the API answers: let it end before the next test's resets.
afterEach(async () => {
  const running = stack.stepFunctions.listAllExecutions().filter((run) => run.status === "RUNNING");
  await Promise.all(running.map((run) => stack.stepFunctions.waitForExecution(run.executionArn)));
});

const executionOf = (machine: "CONVERT_STATE_MACHINE_ARN" | "CANCEL_STATE_MACHINE_ARN", name: string) =>
  stack.stepFunctions.waitForExecution(
    `${String(stack.environment[machine]).replace(":stateMachine:", ":execution:")}:${name}`,
  );

async function convertedCode(): Promise<string> {
  const { status, body } = await t.convert(taro.customerId, 500);
  expect(status).toBe(201);
  // The metafield save runs after the answer; let it finish so it cannot race the cancellation's.
  await executionOf("CONVERT_STATE_MACHINE_ARN", String(body.conversionId));
  return (body.coupon as { code: string }).code;
}

async function cancel(code: string, key = randomUUID()) {
  const response = await t.adminApi(`/v1/admin/coupons/${code}/cancel`, {
    method: "POST",
    headers: { "content-type": "application/json", "idempotency-key": key },
    body: JSON.stringify({ reason: "customer_request", note: "asked at the counter" }),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

/** Points added back (division 6) since the test began; the demo history has an older one. */
const refunds = () =>
  stack.smaregi.store.listTransactions({
    customerId: taro.posCustomerId,
    division: "6",
    from: new Date(testStartedAt.getTime() - 1000),
  });

const unreadablePos: FaultRule = { operation: "listTransactions", kind: "http503" };

/**
 * A cancellation parked for review: the refund's answer is lost (`landed`: the POS applied it)
 * and the POS history cannot be read afterwards. The POS is readable again unless
 * `keepPosUnreadable`, and the refund can no longer land by the time this returns.
 */
async function parked(landed: boolean, options: { keepPosUnreadable?: boolean } = {}) {
  const code = await convertedCode();
  const key = randomUUID();
  const refundSentBy = Date.now();
  stack.smaregi.control.setFaults([
    { operation: "addPoints", kind: landed ? "commit-then-timeout" : "timeout", count: 1 },
    unreadablePos,
  ]);
  const alerts = expectAlerts("needs_review");
  const answer = await cancel(code, key);
  expect(answer.status, JSON.stringify(answer.body)).toBe(202);
  expect(answer.body).toMatchObject({ status: "needs_review" });
  const cancellationId = cancellationIdOf(code, key);
  await executionOf("CANCEL_STATE_MACHINE_ARN", cancellationId);
  // The admins were alerted (the log line an alarm watches), once.
  expect(alerts.lines).toEqual([expect.objectContaining({ cancellationId, alert: "needs_review" })]);
  expect((await cancellations.getCancellation(cancellationId))?.status).toBe("needs_review");
  expect((await t.coupons.getCoupon(code))?.status).toBe("inactive");
  stack.smaregi.control.reset();
  if (options.keepPosUnreadable) stack.smaregi.control.setFaults([unreadablePos]);
  stack.ses.emails.clear();
  await new Promise((resolve) =>
    setTimeout(resolve, Math.max(0, refundSentBy + refundSettleMs + 200 - Date.now())),
  );
  return { code, key, cancellationId, balance: t.posBalance(taro.posCustomerId) };
}

async function resolve(
  cancellationId: string,
  body: unknown,
  options: { key?: string; role?: StaffRole; email?: string } = {},
) {
  const response = await asStaff(
    options.role ?? "admin",
    `/v1/admin/cancellations/${cancellationId}/resolution`,
    {
      method: "POST",
      headers: { "content-type": "application/json", "idempotency-key": options.key ?? randomUUID() },
      body: JSON.stringify(body),
      ...(options.email ? { email: options.email } : {}),
    },
  );
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

const discountOf = (code: string) => {
  const discount = stack.shopify.store.findDiscountByCode(code);
  return discount ? stack.shopify.store.statusOf(discount) : undefined;
};

const trailOf = async (code: string) =>
  (await t.audit.listAuditEvents({ type: "coupon", id: code })).map(
    (event) => `${event.type}:${event.outcome}`,
  );
const resolvedEvents = async (code: string) =>
  (await t.audit.listAuditEvents({ type: "coupon", id: code })).filter(
    (event) => event.type === "cancellation.resolved",
  );

const refunded = { outcome: "points_refunded", note: "Smaregi lists the 500 point addition" };
const notRefunded = { outcome: "points_not_refunded", note: "No addition in the Smaregi point history" };

describe("points_refunded: the cancellation stands", () => {
  it("cancels the coupon and the cancellation, saves the customer's record and emails them, moving no points", async () => {
    // Prepare
    const { code, key, cancellationId, balance } = await parked(true);
    expect(balance).toBe(1250);
    const [refund] = refunds();

    // Act
    const { status, body } = await resolve(cancellationId, refunded);

    // Assess
    expect(status, JSON.stringify(body)).toBe(200);
    expect(body).toEqual({
      cancellationId,
      code,
      status: "cancelled",
      coupon: { code, status: "cancelled" },
      resolvedBy: admin,
      resolvedAt: expect.any(String),
      note: refunded.note,
    });
    expect(await t.coupons.getCoupon(code)).toMatchObject({
      status: "cancelled",
      cancelledAt: body.resolvedAt,
      cancelledBy: admin,
      cancelReason: "customer_request",
      cancelNote: "asked at the counter",
      refundTransactionHeadIds: [refund?.transactionHeadId],
    });
    expect(await cancellations.getCancellation(cancellationId)).toMatchObject({
      status: "cancelled",
      refundedPoints: 500,
      balanceAfter: 1250,
      refundTransactionHeadIds: [refund?.transactionHeadId],
      resolvedBy: admin,
      resolvedAt: body.resolvedAt,
      resolutionNote: refunded.note,
    });
    // The POS was read, never written.
    expect(t.posBalance(taro.posCustomerId)).toBe(1250);
    expect(stack.smaregi.control.snapshot().calls.addPoints ?? 0).toBe(0);
    expect(refunds()).toHaveLength(1);
    // The customer hears of it, as the saga would have told them.
    const [mail, ...others] = stack.ses.emails.list({ to: customerEmail });
    expect(others).toHaveLength(0);
    expect(mail?.subject).toBe("クーポンが取り消されました");
    expect(mail?.text).toContain(code);
    const record = stack.shopify.store.getMetafield(
      `gid://shopify/Customer/${taro.customerId}`,
      COUPON_RECORD_NAMESPACE,
      COUPON_RECORD_KEY,
    );
    expect(JSON.parse(record?.value ?? "{}")).toMatchObject({ coupons: [{ code, status: "cancelled" }] });
    // One event, with who decided, why and what the POS showed.
    const [event, ...more] = await resolvedEvents(code);
    expect(more).toHaveLength(0);
    expect(event).toMatchObject({
      actor: { kind: "admin", id: admin },
      relatedSubjects: [{ type: "conversion", id: expect.any(String) }],
      data: {
        cancellationId,
        outcome: "points_refunded",
        note: refunded.note,
        posEvidence: "applied",
        posReadable: true,
        adminSubject: `admin:${admin}`,
      },
      externalIds: { smaregiTransactionHeadIds: [refund?.transactionHeadId] },
    });
    expect(await trailOf(code)).toEqual(
      expect.arrayContaining(["coupon_record.saved:succeeded", "customer.notified:succeeded"]),
    );
    // The admin who asked for the cancellation now gets its outcome.
    const replayed = await cancel(code, key);
    expect(replayed.status).toBe(200);
    expect(replayed.body).toMatchObject({ status: "cancelled", refundedPoints: 500 });
  });

  it("takes the admin's word when the POS cannot be read; a failed email alerts the admins and the resolution stands", async () => {
    // Prepare: SES refuses the customer's email (each of the SDK's three tries), not the alert.
    const { code, cancellationId } = await parked(true, { keepPosUnreadable: true });
    stack.ses.control.setFaults([{ operation: "SendEmail", kind: "http503", count: 3 }]);
    const alerts = expectAlerts("email_not_sent");

    // Act
    const { status, body } = await resolve(cancellationId, refunded);

    // Assess
    expect(status, JSON.stringify(body)).toBe(200);
    expect(body).toMatchObject({ status: "cancelled", coupon: { code, status: "cancelled" } });
    expect((await t.coupons.getCoupon(code))?.status).toBe("cancelled");
    const [event] = await resolvedEvents(code);
    expect(event?.data).toMatchObject({ posEvidence: "unreadable", posReadable: false });
    expect(String(event?.data?.posEvidenceDetail)).toContain("could not be read");
    expect(stack.ses.emails.list({ to: customerEmail })).toHaveLength(0);
    const [alert] = stack.ses.emails.list({ to: admin });
    expect(alert?.subject).toContain("email_not_sent");
    expect(alerts.lines).toEqual([expect.objectContaining({ cancellationId, code })]);
    expect(await trailOf(code)).toContain("customer.notified:failed");
    expect(t.posBalance(taro.posCustomerId)).toBe(1250);
  });
});

describe("points_not_refunded: the coupon is given back", () => {
  it("reactivates the code and the coupon, fails the cancellation, and a new cancellation refunds once", async () => {
    // Prepare
    const { code, cancellationId, balance } = await parked(false);
    expect(balance).toBe(750);
    expect(discountOf(code)).toBe("EXPIRED");

    // Act
    const { status, body } = await resolve(cancellationId, notRefunded);

    // Assess
    expect(status, JSON.stringify(body)).toBe(200);
    expect(body).toMatchObject({
      cancellationId,
      code,
      status: "failed",
      coupon: { code, status: "active" },
      resolvedBy: admin,
      note: notRefunded.note,
    });
    expect(discountOf(code)).toBe("ACTIVE");
    // Shopify's activate leaves no end date; the coupon's own is set again (whole seconds).
    const coupon = await t.coupons.getCoupon(code);
    expect(stack.shopify.store.findDiscountByCode(code)?.endsAt?.getTime()).toBe(
      Math.floor(Date.parse(String(coupon?.expiresAt)) / 1000) * 1000,
    );
    expect(coupon?.status).toBe("active");
    expect(await cancellations.getCancellation(cancellationId)).toMatchObject({
      status: "failed",
      failure: { code: "resolved_not_refunded", detail: expect.stringContaining("the code is active again") },
      resolvedBy: admin,
      resolutionNote: notRefunded.note,
    });
    expect(t.posBalance(taro.posCustomerId)).toBe(750);
    expect(stack.smaregi.control.snapshot().calls.addPoints ?? 0).toBe(0);
    expect(stack.ses.emails.list({ to: customerEmail })).toHaveLength(0);
    const [event] = await resolvedEvents(code);
    expect(event?.data).toMatchObject({ posEvidence: "not_applied", couponStatus: "active" });
    // Staff can cancel it again: the new cancellation refunds, once.
    const again = await cancel(code);
    expect(again.status, JSON.stringify(again.body)).toBe(200);
    expect(again.body).toMatchObject({ status: "cancelled", refundedPoints: 500, balanceAfter: 1250 });
    expect(t.posBalance(taro.posCustomerId)).toBe(1250);
    expect(refunds()).toHaveLength(1);
  });

  it("marks the coupon used when a checkout redeemed the code meanwhile", async () => {
    const { code, cancellationId } = await parked(false);
    const discount = stack.shopify.store.findDiscountByCode(code);
    if (!discount) throw new Error("no discount");
    // Shopify counted a checkout that redeemed the code just before its deactivation.
    discount.redeemedAt.push(new Date(Date.now() - 60_000));

    const { status, body } = await resolve(cancellationId, notRefunded);

    expect(status, JSON.stringify(body)).toBe(200);
    expect(body).toMatchObject({ status: "failed", coupon: { code, status: "used" } });
    expect((await t.coupons.getCoupon(code))?.status).toBe("used");
    expect(discountOf(code)).toBe("EXPIRED");
    expect(stack.shopify.control.snapshot().calls.discountCodeActivate ?? 0).toBe(0);
    expect(t.posBalance(taro.posCustomerId)).toBe(750);
  });
});

describe("evidence that contradicts the admin", () => {
  it.each([
    ["points_not_refunded", "lists the refund", true, notRefunded],
    ["points_refunded", "lists no refund and the balance did not rise", false, refunded],
  ] as const)("refuses %s when the POS %s, and changes nothing", async (_outcome, _pos, landed, body) => {
    const { code, cancellationId } = await parked(landed);
    const before = await t.coupons.getCoupon(code);

    const answer = await resolve(cancellationId, body);

    expect(answer.status).toBe(409);
    expect(answer.body).toMatchObject({
      code: "resolution_contradicts_pos",
      cancellationId,
      posEvidence: landed ? "applied" : "not_applied",
    });
    expect((await cancellations.getCancellation(cancellationId))?.status).toBe("needs_review");
    expect(await t.coupons.getCoupon(code)).toEqual(before);
    expect(discountOf(code)).toBe("EXPIRED");
    expect(stack.shopify.control.snapshot().calls.discountCodeActivate ?? 0).toBe(0);
    expect(t.posBalance(taro.posCustomerId)).toBe(landed ? 1250 : 750);
    expect(stack.ses.emails.list({ to: customerEmail })).toHaveLength(0);
    expect(await trailOf(code)).toContain("cancellation.resolution_refused:failed");
    expect(await resolvedEvents(code)).toHaveLength(0);
  });
});

describe("once, by one admin", () => {
  it("answers a replay of the same request the same, without acting or auditing again", async () => {
    const { code, cancellationId } = await parked(false);
    const key = randomUUID();
    const first = await resolve(cancellationId, notRefunded, { key });
    const activations = stack.shopify.control.snapshot().calls.discountCodeActivate;

    const again = await resolve(cancellationId, notRefunded, { key });

    expect(first.status).toBe(200);
    expect(again).toEqual(first);
    expect(stack.shopify.control.snapshot().calls.discountCodeActivate).toBe(activations);
    expect(await resolvedEvents(code)).toHaveLength(1);
  });

  it("refuses the same key for a different resolution", async () => {
    const { cancellationId } = await parked(false);
    const key = randomUUID();
    await resolve(cancellationId, notRefunded, { key });

    const other = await resolve(cancellationId, { ...notRefunded, note: "something else" }, { key });

    expect(other.status).toBe(422);
    expect(other.body).toMatchObject({ code: "idempotency_key_reused" });
  });

  it("resolves only a parked cancellation", async () => {
    const { cancellationId } = await parked(false);
    await resolve(cancellationId, notRefunded);
    const code = await convertedCode();
    const key = randomUUID();
    expect((await cancel(code, key)).status).toBe(200);

    const again = await resolve(cancellationId, notRefunded);
    const cancelled = await resolve(cancellationIdOf(code, key), refunded);
    const unknown = await resolve(cancellationIdOf("NO-SUCH-COUPON", randomUUID()), refunded);

    expect(again.status).toBe(409);
    expect(again.body).toMatchObject({ code: "cancellation_not_in_review", currentStatus: "failed" });
    expect(cancelled.status).toBe(409);
    expect(cancelled.body).toMatchObject({ code: "cancellation_not_in_review", currentStatus: "cancelled" });
    expect(unknown.status).toBe(404);
    expect(unknown.body).toMatchObject({ code: "cancellation_not_found" });
  });

  it("lets only one of two admins resolving at once act", async () => {
    // Both outcomes are acceptable while the POS cannot be read: only the claim decides.
    const { code, cancellationId } = await parked(true, { keepPosUnreadable: true });
    stack.shopify.control.setLatency({ discountCodeActivate: 200 });

    const [standing, givingBack] = await Promise.all([
      resolve(cancellationId, refunded, { email: "aiko@example.com" }),
      resolve(cancellationId, notRefunded, { email: "ken@example.com" }),
    ]);

    expect([standing.status, givingBack.status].sort()).toEqual([200, 409]);
    const loser = standing.status === 409 ? standing : givingBack;
    expect(["resolution_in_progress", "cancellation_not_in_review"]).toContain(loser.body.code);
    const stored = await cancellations.getCancellation(cancellationId);
    if (standing.status === 200) {
      expect(stored).toMatchObject({ status: "cancelled", resolvedBy: "aiko@example.com" });
      expect((await t.coupons.getCoupon(code))?.status).toBe("cancelled");
    } else {
      expect(stored).toMatchObject({ status: "failed", resolvedBy: "ken@example.com" });
      expect((await t.coupons.getCoupon(code))?.status).toBe("active");
    }
    expect(await resolvedEvents(code)).toHaveLength(1);
    expect(t.posBalance(taro.posCustomerId)).toBe(1250);
  });
});

describe("who may resolve, and with what", () => {
  it("refuses viewers and staff without a loyalty role (403), changing nothing", async () => {
    const { code, cancellationId } = await parked(false);

    const viewer = await resolve(cancellationId, notRefunded, { role: "viewer" });
    const none = await resolve(cancellationId, notRefunded, { role: "none" });

    for (const answer of [viewer, none]) {
      expect(answer.status).toBe(403);
      expect(answer.body).toMatchObject({ code: "forbidden" });
    }
    expect((await cancellations.getCancellation(cancellationId))?.status).toBe("needs_review");
    expect(discountOf(code)).toBe("EXPIRED");
  });

  it("refuses customers and anonymous callers at the gateway (401)", async () => {
    const path = `/v1/admin/cancellations/${cancellationIdOf("NOPE", randomUUID())}/resolution`;
    const init = {
      method: "POST",
      headers: { "content-type": "application/json", "idempotency-key": randomUUID() },
      body: JSON.stringify(refunded),
    };
    expect((await t.api(path, { ...init, customerId: taro.customerId })).status).toBe(401);
    expect((await t.api(path, init)).status).toBe(401);
  });

  it.each([
    [{ outcome: "points_refunded" }, "note"],
    [{ outcome: "points_refunded", note: "  " }, "note"],
    [{ outcome: "points_taken", note: "checked" }, "outcome"],
    [{ ...refunded, status: "cancelled" }, "status"],
  ])("refuses %j naming %s", async (body, field) => {
    const answer = await resolve(cancellationIdOf("NOPE", randomUUID()), body);

    expect(answer.status).toBe(400);
    expect(answer.body).toMatchObject({ code: "invalid_request" });
    expect(String(answer.body.detail)).toContain(field);
  });

  it("needs an Idempotency-Key", async () => {
    const response = await asStaff(
      "admin",
      `/v1/admin/cancellations/${cancellationIdOf("NOPE", randomUUID())}/resolution`,
      {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(refunded),
      },
    );

    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ code: "idempotency_key_required" });
  });
});
