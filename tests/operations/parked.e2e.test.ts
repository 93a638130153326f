import { randomUUID } from "node:crypto";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocument, UpdateCommand } from "@aws-sdk/lib-dynamodb";
import { afterAll, afterEach, beforeEach, describe, expect, inject, it } from "vitest";
import { localDynamoDbClientConfig } from "../../infra/local/dynamodb";
import type { FaultRule } from "../../infra/local/emulation/control";
import { DynamoCancellationStore } from "../../shared/adapters/dynamodb/cancellations";
import * as keys from "../../shared/adapters/dynamodb/keys";
import { cancellationIdOf } from "../../shared/cancellation/records";
import { expectAlerts } from "../support/expected-logs";
import { taro, useTestStack } from "../support/local-stack";

/**
 * Parked work heals itself, on the whole local stack: a conversion or cancellation parked because
 * the POS could not be read is settled by the scheduled reconciler once the POS answers again,
 * and a parked code Shopify would not deactivate does not stay usable once Shopify answers.
 */
const t = await useTestStack();
const { stack } = t;
const { handler: reconcileConversions } = await import("../../functions/operations/reconcile-conversions");
const { handler: reconcileCancellations } = await import(
  "../../functions/operations/reconcile-cancellations"
);
const documents = DynamoDBDocument.from(
  new DynamoDBClient(localDynamoDbClientConfig(inject("dynamoEndpoint"))),
);
const cancellations = new DynamoCancellationStore({ client: documents, tableName: t.names.loyalty });
afterAll(() => documents.destroy());

/** The stack's POS write timeout is 800 ms: a lost write may land up to twice that later. */
const settleMs = 2 * 800;
const unreadablePos: FaultRule = { operation: "listTransactions", kind: "http503" };

beforeEach(() => {
  stack.smaregi.control.reset();
  stack.smaregi.store.reset();
  stack.shopify.control.reset();
  stack.shopify.store.reset();
  stack.ses.emails.clear();
});
afterEach(async () => {
  const running = stack.stepFunctions.listAllExecutions().filter((run) => run.status === "RUNNING");
  await Promise.all(running.map((run) => stack.stepFunctions.waitForExecution(run.executionArn)));
});

const executionOf = (machine: "CONVERT_STATE_MACHINE_ARN" | "CANCEL_STATE_MACHINE_ARN", name: string) =>
  stack.stepFunctions.waitForExecution(
    `${String(stack.environment[machine]).replace(":stateMachine:", ":execution:")}:${name}`,
  );

/** The code's discount as Shopify would report it now (ACTIVE, EXPIRED, …), if it exists. */
const discountOf = (code: string) => {
  const discount = stack.shopify.store.findDiscountByCode(code);
  return discount ? { status: stack.shopify.store.statusOf(discount) } : undefined;
};

/** As if the record had been parked `minutes` ago: the reconciler re-checks on its schedule. */
async function parkedAgo(key: { pk: string; sk: string }, minutes: number) {
  await documents.send(
    new UpdateCommand({
      TableName: t.names.loyalty,
      Key: key,
      UpdateExpression: "SET updatedAt = :at",
      ExpressionAttributeValues: { ":at": new Date(Date.now() - minutes * 60_000).toISOString() },
    }),
  );
}

/** A conversion parked because its deduction's answer was lost and the POS history unreadable. */
async function parkedConversion(landed: boolean, shopifyFaults: FaultRule[] = []) {
  stack.smaregi.control.setFaults([
    { operation: "addPoints", kind: landed ? "commit-then-timeout" : "timeout", count: 1 },
    unreadablePos,
  ]);
  stack.shopify.control.setFaults(shopifyFaults);
  const alerts = expectAlerts("needs_review");
  const sentBy = Date.now();
  const { status, body } = await t.convert(taro.customerId, 500);
  expect(status).toBe(202);
  const conversionId = String(body.conversionId);
  await executionOf("CONVERT_STATE_MACHINE_ARN", conversionId);
  const parked = await t.conversions.getConversion(conversionId);
  expect(parked?.status).toBe("needs_review");
  expect(alerts.lines).toEqual([expect.objectContaining({ conversionId })]);
  // The deduction can no longer land by the time the reconciler looks.
  await new Promise((resolve) => setTimeout(resolve, Math.max(0, sentBy + settleMs + 200 - Date.now())));
  return { conversionId, code: String(parked?.code) };
}

describe("a parked conversion", () => {
  it("is completed by the reconciler once the POS lists its deduction, and its code is usable again", async () => {
    // Prepare
    const { conversionId, code } = await parkedConversion(true);
    expect(discountOf(code)?.status).not.toBe("ACTIVE");
    stack.smaregi.control.reset();
    await parkedAgo(keys.conversion(conversionId), 5);

    // Act
    const summary = await reconcileConversions({});

    // Assess
    expect(summary.conversions.settled).toEqual([{ conversionId, status: "completed" }]);
    expect((await t.conversions.getConversion(conversionId))?.status).toBe("completed");
    expect(discountOf(code)?.status).toBe("ACTIVE");
    expect((await t.coupons.getCoupon(code))?.status).toBe("active");
    expect(t.posBalance(taro.posCustomerId)).toBe(750);
    const trail = await t.audit.listAuditEvents({ type: "conversion", id: conversionId });
    expect(trail.map((event) => event.actor.id)).toContain("operations/reconcile-stuck");
  });

  it("is compensated by the reconciler once the POS shows the deduction never landed, its code deleted", async () => {
    const { conversionId, code } = await parkedConversion(false);
    stack.smaregi.control.reset();
    await parkedAgo(keys.conversion(conversionId), 10);

    const summary = await reconcileConversions({});

    expect(summary.conversions.settled).toEqual([{ conversionId, status: "compensated" }]);
    expect((await t.conversions.getConversion(conversionId))?.status).toBe("compensated");
    expect(discountOf(code)).toBeUndefined();
    expect(t.posBalance(taro.posCustomerId)).toBe(1250);
  });

  it("settles a parked conversion whose code stayed usable, and clears the mark", async () => {
    const { conversionId, code } = await parkedConversion(false, [
      { operation: "discountCodeDeactivate", kind: "http503" },
    ]);
    expect((await t.conversions.getConversion(conversionId))?.couponLive).toBe(true);
    stack.smaregi.control.reset();
    stack.shopify.control.reset();
    await parkedAgo(keys.conversion(conversionId), 5);

    const summary = await reconcileConversions({});

    expect(summary.conversions.settled).toEqual([{ conversionId, status: "compensated" }]);
    expect(discountOf(code)).toBeUndefined();
    expect(await t.conversions.getConversion(conversionId)).toMatchObject({
      status: "compensated",
      couponLive: false,
    });
  });

  it("is left to staff while the POS still cannot be read, and not looked at off its schedule", async () => {
    const { conversionId } = await parkedConversion(true);
    stack.smaregi.control.setFaults([unreadablePos]);

    await parkedAgo(keys.conversion(conversionId), 7);
    const offSchedule = await reconcileConversions({});
    await parkedAgo(keys.conversion(conversionId), 20);
    const unreadable = await reconcileConversions({});

    expect(offSchedule.conversions.settled).toEqual([]);
    expect(unreadable.conversions.settled).toEqual([]);
    expect((await t.conversions.getConversion(conversionId))?.status).toBe("needs_review");
  });

  it("does not keep a usable code once Shopify answers again, and alerts while it is usable", async () => {
    // Prepare: Shopify refuses every deactivation while the saga parks, the POS stays unreadable.
    const { conversionId, code } = await parkedConversion(false, [
      { operation: "discountCodeDeactivate", kind: "http503" },
    ]);
    stack.smaregi.control.setFaults([unreadablePos]);
    expect(discountOf(code)?.status).toBe("ACTIVE");
    expect((await t.conversions.getConversion(conversionId))?.couponLive).toBe(true);
    stack.ses.emails.clear();
    const reminded = expectAlerts("needs_review");

    // Act: one run while Shopify still fails, one after it answers again.
    await parkedAgo(keys.conversion(conversionId), 5);
    const failing = await reconcileConversions({});
    stack.shopify.control.reset();
    await parkedAgo(keys.conversion(conversionId), 10);
    const answering = await reconcileConversions({});

    // Assess
    expect(failing.conversions.alerted).toEqual([{ conversionId, finding: "parked_code_usable" }]);
    expect(stack.ses.emails.list({ to: "ops@example.com" })[0]?.text).toContain("still usable");
    expect(reminded.lines).toEqual([
      expect.objectContaining({ conversionId, finding: "parked_code_usable" }),
    ]);
    expect(answering.conversions.deactivated).toEqual([conversionId]);
    expect(discountOf(code)?.status).not.toBe("ACTIVE");
    const stored = await t.conversions.getConversion(conversionId);
    expect(stored).toMatchObject({ status: "needs_review", couponLive: false });
    expect(await t.trailOf(conversionId)).toContain("coupon.deactivated:succeeded");
  });
});

describe("a parked cancellation", () => {
  async function parkedCancellation(landed: boolean) {
    const converted = await t.convert(taro.customerId, 500);
    expect(converted.status).toBe(201);
    await executionOf("CONVERT_STATE_MACHINE_ARN", String(converted.body.conversionId));
    const code = (converted.body.coupon as { code: string }).code;
    const key = randomUUID();
    stack.smaregi.control.setFaults([
      { operation: "addPoints", kind: landed ? "commit-then-timeout" : "timeout", count: 1 },
      unreadablePos,
    ]);
    const alerts = expectAlerts("needs_review");
    const sentBy = Date.now();
    const response = await t.adminApi(`/v1/admin/coupons/${code}/cancel`, {
      method: "POST",
      headers: { "content-type": "application/json", "idempotency-key": key },
      body: JSON.stringify({ reason: "customer_request", note: "asked at the counter" }),
    });
    expect(response.status).toBe(202);
    const cancellationId = cancellationIdOf(code, key);
    await executionOf("CANCEL_STATE_MACHINE_ARN", cancellationId);
    expect((await cancellations.getCancellation(cancellationId))?.status).toBe("needs_review");
    expect(alerts.lines).toEqual([expect.objectContaining({ cancellationId })]);
    stack.smaregi.control.reset();
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, sentBy + settleMs + 200 - Date.now())));
    await parkedAgo(keys.cancellation(cancellationId), 5);
    return { code, cancellationId };
  }

  it("stands once the POS lists its refund: the coupon cancelled, the points back once", async () => {
    const { code, cancellationId } = await parkedCancellation(true);

    const summary = await reconcileCancellations({});

    expect(summary.cancellations.settled).toEqual([{ cancellationId, status: "cancelled" }]);
    expect((await t.coupons.getCoupon(code))?.status).toBe("cancelled");
    expect(t.posBalance(taro.posCustomerId)).toBe(1250);
  });

  it("gives the coupon back once the POS shows the refund never landed", async () => {
    const { code, cancellationId } = await parkedCancellation(false);

    const summary = await reconcileCancellations({});

    expect(summary.cancellations.settled).toEqual([{ cancellationId, status: expect.any(String) }]);
    expect((await t.coupons.getCoupon(code))?.status).toBe("active");
    expect(discountOf(code)?.status).toBe("ACTIVE");
    expect(t.posBalance(taro.posCustomerId)).toBe(750);
  });
});
