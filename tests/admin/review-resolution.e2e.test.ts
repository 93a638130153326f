import { randomUUID } from "node:crypto";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocument } from "@aws-sdk/lib-dynamodb";
import { afterAll, beforeEach, describe, expect, inject, it } from "vitest";
import { localDynamoDbClientConfig } from "../../infra/local/dynamodb";
import type { FaultRule } from "../../infra/local/emulation/control";
import { DynamoResolutionStore } from "../../shared/adapters/dynamodb/conversion-resolutions";
import type { NewClaim } from "../../shared/conversion/resolution-records";
import { newConversionId } from "../../shared/conversion/rules";
import { convertBy } from "../rewards/support";
import { expectAlerts } from "../support/expected-logs";
import { taro, useTestStack } from "../support/local-stack";
import { type StaffRole, staffApi } from "./staff";

/**
 * Staff resolve conversions the saga parked as needs_review, on the whole local stack: the POS
 * is read for evidence and never written, the Shopify code is reactivated or deleted, and the
 * conversion, its coupon and the audit trail record who decided what.
 */
const t = await useTestStack();
const { stack } = t;
const asStaff = staffApi(stack.urls.api);
const documents = DynamoDBDocument.from(
  new DynamoDBClient(localDynamoDbClientConfig(inject("dynamoEndpoint"))),
);
afterAll(() => documents.destroy());

beforeEach(() => {
  stack.smaregi.control.reset();
  stack.smaregi.store.reset();
  stack.shopify.control.reset();
  stack.shopify.store.reset();
  stack.ses.emails.clear();
});

const executionOf = (conversionId: string) =>
  `${String(stack.environment.CONVERT_STATE_MACHINE_ARN).replace(":stateMachine:", ":execution:")}:${conversionId}`;

const unreadablePos: FaultRule = { operation: "listTransactions", kind: "http503" };
/** The POS's answer to the deduction is lost and its history cannot be read: the saga parks. */
const lostDeduction = (taken: boolean): FaultRule[] => [
  { operation: "addPoints", kind: taken ? "commit-then-timeout" : "timeout", count: 1 },
  unreadablePos,
];

/**
 * A conversion parked for review, the POS readable again unless `keepPosUnreadable`. `taken`: the
 * POS did take the points (its answer was lost).
 */
async function parked(
  taken: boolean,
  options: { keepPosUnreadable?: boolean; body?: Record<string, unknown> } = {},
) {
  stack.smaregi.control.setFaults(lostDeduction(taken));
  const alerts = expectAlerts("needs_review");
  const answer = await convertBy(t, taro.customerId, options.body ?? { points: 500 });
  expect(answer.status, JSON.stringify(answer.body)).toBe(202);
  const conversionId = String(answer.body.conversionId);
  await stack.stepFunctions.waitForExecution(executionOf(conversionId));
  const conversion = await t.conversions.getConversion(conversionId);
  expect(conversion?.status).toBe("needs_review");
  // The admins were alerted (the log line an alarm watches), once.
  expect(alerts.lines).toEqual([expect.objectContaining({ conversionId, alert: "needs_review" })]);
  if (!conversion) throw new Error("not stored");
  stack.smaregi.control.reset();
  if (options.keepPosUnreadable) stack.smaregi.control.setFaults([unreadablePos]);
  stack.shopify.control.reset();
  return {
    conversionId,
    code: conversion.code,
    balance: t.posBalance(taro.posCustomerId),
    /** Point transactions the POS holds once parked (the demo data seeds some). */
    transactions: transactionCounts(),
  };
}

async function resolve(
  conversionId: string,
  body: unknown,
  options: { key?: string; role?: StaffRole; email?: string } = {},
) {
  const response = await asStaff(
    options.role ?? "admin",
    `/v1/admin/conversions/${conversionId}/resolution`,
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
  return discount ? { status: stack.shopify.store.statusOf(discount), endsAt: discount.endsAt } : undefined;
};

const transactionsOf = (division: "6" | "7") =>
  stack.smaregi.store.listTransactions({ customerId: taro.posCustomerId, division });
const transactionCounts = () => ({
  added: transactionsOf("6").length,
  subtracted: transactionsOf("7").length,
});

const resolvedEvents = async (conversionId: string) =>
  (await t.audit.listAuditEvents({ type: "conversion", id: conversionId })).filter(
    (event) => event.type === "conversion.resolved",
  );

const taken = { outcome: "points_taken", note: "Smaregi admin lists the 500 point subtraction" };
const notTaken = { outcome: "points_not_taken", note: "No subtraction in the Smaregi point history" };

describe("points_taken: the coupon is made usable", () => {
  it("reactivates the code, activates the coupon, completes the conversion and moves no points", async () => {
    // Prepare
    const { conversionId, code, balance, transactions } = await parked(true);
    expect(balance).toBe(750);
    const deduction = transactionsOf("7").at(-1);

    // Act
    const { status, body } = await resolve(conversionId, taken);

    // Assess
    expect(status, JSON.stringify(body)).toBe(200);
    expect(body).toEqual({
      conversionId,
      status: "completed",
      coupon: { code, status: "active" },
      resolvedBy: "ops@example.com",
      resolvedAt: expect.any(String),
      note: taken.note,
    });
    const stored = await t.conversions.getConversion(conversionId);
    expect(stored).toMatchObject({
      status: "completed",
      resolvedBy: "ops@example.com",
      resolvedAt: body.resolvedAt,
      resolutionNote: taken.note,
      transactionHeadIds: [deduction?.transactionHeadId],
    });
    expect(discountOf(code)?.status).toBe("ACTIVE");
    // Shopify keeps whole seconds.
    expect(discountOf(code)?.endsAt?.getTime()).toBe(
      Math.floor(Date.parse(String(stored?.expiresAt)) / 1000) * 1000,
    );
    expect((await t.coupons.getCoupon(code))?.status).toBe("active");
    // The POS was read, never written.
    expect(t.posBalance(taro.posCustomerId)).toBe(750);
    expect(stack.smaregi.control.snapshot().calls.addPoints ?? 0).toBe(0);
    expect(transactionCounts()).toEqual(transactions);
    // The customer sees the coupon, usable.
    const mine = (await (await t.api("/v1/me/coupons", { customerId: taro.customerId })).json()) as {
      coupons: Array<{ code: string; status: string }>;
    };
    expect(mine.coupons).toContainEqual(expect.objectContaining({ code, status: "active" }));
    const validity = await (await t.api(`/v1/me/coupons/${code}`, { customerId: taro.customerId })).json();
    expect(validity).toMatchObject({ code, valid: true });
    const conversion = await (
      await t.api(`/v1/me/conversions/${conversionId}`, { customerId: taro.customerId })
    ).json();
    expect(conversion).toMatchObject({ status: "completed", coupon: { code } });
  });

  it("shows who resolved it, when and why to staff, with the POS evidence in the trail", async () => {
    const { conversionId, code } = await parked(true);
    const { body } = await resolve(conversionId, taken);

    const inspected = (await (await asStaff("viewer", `/v1/admin/conversions/${conversionId}`)).json()) as {
      conversion: Record<string, unknown>;
      trail: Array<{ type: string; actor: unknown; data?: Record<string, unknown>; externalIds?: unknown }>;
    };

    expect(inspected.conversion).toMatchObject({
      status: "completed",
      resolvedBy: "ops@example.com",
      resolvedAt: body.resolvedAt,
      resolutionNote: taken.note,
    });
    const resolved = inspected.trail.find((event) => event.type === "conversion.resolved");
    expect(resolved).toMatchObject({
      actor: { kind: "admin", id: "ops@example.com" },
      data: {
        outcome: "points_taken",
        note: taken.note,
        posEvidence: "applied",
        posReadable: true,
        adminSubject: "admin:ops@example.com",
      },
      externalIds: {
        shopifyDiscountId: expect.stringMatching(/^gid:\/\/shopify\/DiscountCodeNode\//),
        smaregiTransactionHeadIds: [expect.any(String)],
      },
    });
    // Recorded under the coupon as well.
    const couponTrail = await t.audit.listAuditEvents({ type: "coupon", id: code });
    expect(couponTrail.map((event) => event.type)).toContain("conversion.resolved");
  });

  it("takes the admin's word when the POS cannot be read, and records that it could not", async () => {
    const { conversionId, code } = await parked(true, { keepPosUnreadable: true });

    const { status, body } = await resolve(conversionId, taken);

    expect(status, JSON.stringify(body)).toBe(200);
    expect(body).toMatchObject({ status: "completed", coupon: { code, status: "active" } });
    expect(discountOf(code)?.status).toBe("ACTIVE");
    const [event] = await resolvedEvents(conversionId);
    expect(event?.data).toMatchObject({ posEvidence: "unreadable", posReadable: false });
    expect(event?.data?.posEvidenceDetail).toContain("could not be read");
    expect(t.posBalance(taro.posCustomerId)).toBe(750);
  });
});

describe("points_not_taken: the coupon is voided", () => {
  it("deletes the code, cancels the coupon, compensates the conversion and moves no points", async () => {
    const { conversionId, code, balance, transactions } = await parked(false);
    expect(balance).toBe(1250);

    const { status, body } = await resolve(conversionId, notTaken);

    expect(status, JSON.stringify(body)).toBe(200);
    expect(body).toMatchObject({
      conversionId,
      status: "compensated",
      coupon: { code, status: "cancelled" },
      resolvedBy: "ops@example.com",
      note: notTaken.note,
    });
    expect(discountOf(code)).toBeUndefined();
    expect(await t.conversions.getConversion(conversionId)).toMatchObject({
      status: "compensated",
      resolvedBy: "ops@example.com",
      resolutionNote: notTaken.note,
    });
    expect((await t.coupons.getCoupon(code))?.status).toBe("cancelled");
    expect(t.posBalance(taro.posCustomerId)).toBe(1250);
    expect(stack.smaregi.control.snapshot().calls.addPoints ?? 0).toBe(0);
    expect(transactionCounts()).toEqual(transactions);
    const validity = await (await t.api(`/v1/me/coupons/${code}`, { customerId: taro.customerId })).json();
    expect(validity).toMatchObject({ valid: false, reason: "cancelled" });
    const [event] = await resolvedEvents(conversionId);
    expect(event?.data).toMatchObject({ posEvidence: "not_applied", shopify: "the code was deleted" });
  });

  it("keeps the code deactivated when Shopify will not delete it", async () => {
    const { conversionId, code } = await parked(false);
    stack.shopify.control.setFaults([{ operation: "discountCodeDelete", kind: "http503" }]);

    const { status, body } = await resolve(conversionId, notTaken);

    expect(status, JSON.stringify(body)).toBe(200);
    expect(body).toMatchObject({ status: "compensated", coupon: { code, status: "cancelled" } });
    expect(discountOf(code)?.status).toBe("EXPIRED");
    const [event] = await resolvedEvents(conversionId);
    expect(String(event?.data?.shopify)).toContain("kept deactivated");
  });

  it("tells the merchant's integration a custom reward's coupon is void, and refuses to honour one", async () => {
    const { conversionId, code } = await parked(false, { body: { rewardId: "cafe-drink" } });

    const honoured = await resolve(conversionId, taken);
    const voided = await resolve(conversionId, notTaken);

    expect(honoured.status).toBe(409);
    expect(honoured.body).toMatchObject({ code: "custom_reward_resolve_manually" });
    expect(voided.status, JSON.stringify(voided.body)).toBe(200);
    expect(voided.body).toMatchObject({ status: "compensated", coupon: { code, status: "cancelled" } });
    const handoffs = (await t.audit.listAuditEvents({ type: "coupon", id: code }))
      .filter((event) => event.type === "loyalty.coupon.revoked")
      .map((event) => (JSON.parse(String(event.data?.payload)) as { reason: string }).reason);
    expect(handoffs).toEqual(["needs_review", "compensated"]);
  });
});

describe("evidence that contradicts the admin", () => {
  it.each([
    ["points_not_taken", "lists the deduction", true, notTaken],
    ["points_taken", "lists no deduction", false, taken],
  ] as const)(
    "refuses %s when the POS %s, and changes nothing",
    async (_outcome, _pos, pointsTaken, body) => {
      const { conversionId, code } = await parked(pointsTaken);
      const before = await t.coupons.getCoupon(code);

      const answer = await resolve(conversionId, body);

      expect(answer.status).toBe(409);
      expect(answer.body).toMatchObject({
        code: "resolution_contradicts_pos",
        posEvidence: pointsTaken ? "applied" : "not_applied",
      });
      expect((await t.conversions.getConversion(conversionId))?.status).toBe("needs_review");
      expect(await t.coupons.getCoupon(code)).toEqual(before);
      expect(discountOf(code)?.status).toBe("EXPIRED");
      expect(stack.shopify.control.snapshot().calls.discountCodeActivate ?? 0).toBe(0);
      expect(stack.shopify.control.snapshot().calls.discountCodeDelete ?? 0).toBe(0);
      expect(t.posBalance(taro.posCustomerId)).toBe(pointsTaken ? 750 : 1250);
      expect(await t.trailOf(conversionId)).toContain("conversion.resolution_refused:failed");
      expect(await resolvedEvents(conversionId)).toHaveLength(0);
    },
  );
});

describe("once, by one admin", () => {
  it("answers a replay of the same request the same, without acting or auditing again", async () => {
    const { conversionId } = await parked(true);
    const key = randomUUID();
    const first = await resolve(conversionId, taken, { key });
    const activations = stack.shopify.control.snapshot().calls.discountCodeActivate;

    const again = await resolve(conversionId, taken, { key });

    expect(first.status).toBe(200);
    expect(again).toEqual(first);
    expect(stack.shopify.control.snapshot().calls.discountCodeActivate).toBe(activations);
    expect(await resolvedEvents(conversionId)).toHaveLength(1);
  });

  it("refuses the same key for a different resolution", async () => {
    const { conversionId } = await parked(true);
    const key = randomUUID();
    await resolve(conversionId, taken, { key });

    const other = await resolve(conversionId, { ...taken, note: "something else" }, { key });

    expect(other.status).toBe(422);
    expect(other.body).toMatchObject({ code: "idempotency_key_reused" });
  });

  it("resolves only a parked conversion", async () => {
    const { conversionId } = await parked(false);
    await resolve(conversionId, notTaken);
    const converted = await t.convert(taro.customerId, 100);

    const again = await resolve(conversionId, notTaken);
    const completed = await resolve(String(converted.body.conversionId), taken);
    const unknown = await resolve(newConversionId(), taken);

    expect(again.status).toBe(409);
    expect(again.body).toMatchObject({ code: "conversion_not_in_review", currentStatus: "compensated" });
    expect(String(again.body.detail)).toContain("compensated");
    expect(completed.status).toBe(409);
    expect(completed.body).toMatchObject({ code: "conversion_not_in_review", currentStatus: "completed" });
    expect(unknown.status).toBe(404);
    expect(unknown.body).toMatchObject({ code: "conversion_not_found" });
  });

  it("finishes a request that failed half way when it is repeated, holding off other admins meanwhile", async () => {
    const { conversionId, code } = await parked(true);
    stack.shopify.control.setFaults([{ operation: "discountCodeActivate", kind: "http503" }]);
    const key = randomUUID();

    const failed = await resolve(conversionId, taken, { key });
    const other = await resolve(conversionId, notTaken, { email: "ken@example.com" });
    stack.shopify.control.reset();
    const repeated = await resolve(conversionId, taken, { key });

    expect(failed.status).toBe(503);
    expect(failed.body).toMatchObject({ code: "shopify_unavailable" });
    expect(other.status).toBe(409);
    expect(other.body).toMatchObject({ code: "resolution_in_progress" });
    expect(repeated.status, JSON.stringify(repeated.body)).toBe(200);
    expect(repeated.body).toMatchObject({ status: "completed", coupon: { code, status: "active" } });
    expect(discountOf(code)?.status).toBe("ACTIVE");
    expect(await resolvedEvents(conversionId)).toHaveLength(1);
  });

  it("waits for another admin's claim, and takes over one whose request died", async () => {
    const { conversionId, code } = await parked(true);
    const claimAt = (at: Date) =>
      new DynamoResolutionStore({ client: documents, tableName: t.names.loyalty, now: () => at });
    const dead: NewClaim = {
      conversionId,
      idempotencyKey: randomUUID(),
      requestHash: "another request",
      outcome: "points_not_taken",
      note: "checked",
      requestedBy: "admin:ken@example.com",
      requestedByLabel: "ken@example.com",
      claimId: randomUUID(),
      startedAt: new Date().toISOString(),
    };
    const live = await claimAt(new Date()).claim(dead);

    const waiting = await resolve(conversionId, taken);
    // The same claim, as if its request had died two minutes ago.
    await claimAt(new Date(Date.now() - 120_000)).claim(dead, live);
    const takenOver = await resolve(conversionId, taken);

    expect(waiting.status).toBe(409);
    expect(waiting.body).toMatchObject({ code: "resolution_in_progress" });
    expect(takenOver.status, JSON.stringify(takenOver.body)).toBe(200);
    expect(takenOver.body).toMatchObject({ status: "completed", resolvedBy: "ops@example.com" });
    expect(discountOf(code)?.status).toBe("ACTIVE");
  });

  it("lets only one of two admins resolving at once act", async () => {
    // Both outcomes are acceptable while the POS cannot be read: only the claim decides.
    const { conversionId, code } = await parked(true, { keepPosUnreadable: true });
    stack.shopify.control.setLatency({ discountCodeActivate: 200, discountCodeDelete: 200 });

    const [honour, voiding] = await Promise.all([
      resolve(conversionId, taken, { email: "aiko@example.com" }),
      resolve(conversionId, notTaken, { email: "ken@example.com" }),
    ]);

    const statuses = [honour.status, voiding.status].sort();
    expect(statuses).toEqual([200, 409]);
    const loser = honour.status === 409 ? honour : voiding;
    expect(["resolution_in_progress", "conversion_not_in_review"]).toContain(loser.body.code);
    const stored = await t.conversions.getConversion(conversionId);
    if (honour.status === 200) {
      expect(stored).toMatchObject({ status: "completed", resolvedBy: "aiko@example.com" });
      expect(discountOf(code)?.status).toBe("ACTIVE");
    } else {
      expect(stored).toMatchObject({ status: "compensated", resolvedBy: "ken@example.com" });
      expect(discountOf(code)).toBeUndefined();
    }
    expect(await resolvedEvents(conversionId)).toHaveLength(1);
  });
});

describe("who may resolve, and with what", () => {
  it("refuses viewers and staff without a loyalty role (403), changing nothing", async () => {
    const { conversionId, code } = await parked(false);

    const viewer = await resolve(conversionId, notTaken, { role: "viewer" });
    const none = await resolve(conversionId, notTaken, { role: "none" });

    for (const answer of [viewer, none]) {
      expect(answer.status).toBe(403);
      expect(answer.body).toMatchObject({ code: "forbidden" });
    }
    expect((await t.conversions.getConversion(conversionId))?.status).toBe("needs_review");
    expect(discountOf(code)?.status).toBe("EXPIRED");
  });

  it("refuses customers and anonymous callers at the gateway (401)", async () => {
    const path = `/v1/admin/conversions/${newConversionId()}/resolution`;
    const init = {
      method: "POST",
      headers: { "content-type": "application/json", "idempotency-key": randomUUID() },
      body: JSON.stringify(taken),
    };
    expect((await t.api(path, { ...init, customerId: taro.customerId })).status).toBe(401);
    expect((await t.api(path, init)).status).toBe(401);
  });

  it.each([
    [{ outcome: "points_taken" }, "note"],
    [{ outcome: "points_taken", note: "   " }, "note"],
    [{ outcome: "points_taken", note: "x".repeat(501) }, "note"],
    [{ outcome: "maybe", note: "checked" }, "outcome"],
    [{ ...taken, status: "completed" }, "status"],
  ])("refuses %j naming %s", async (body, field) => {
    const answer = await resolve(newConversionId(), body);

    expect(answer.status).toBe(400);
    expect(answer.body).toMatchObject({ code: "invalid_request" });
    expect(String(answer.body.detail)).toContain(field);
  });

  it("needs an Idempotency-Key", async () => {
    const response = await asStaff("admin", `/v1/admin/conversions/${newConversionId()}/resolution`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(taken),
    });

    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ code: "idempotency_key_required" });
  });
});
