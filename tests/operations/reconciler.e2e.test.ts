import { randomUUID } from "node:crypto";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocument } from "@aws-sdk/lib-dynamodb";
import { describe, expect, inject, it, vi } from "vitest";
import { localDynamoDbClientConfig } from "../../infra/local/dynamodb";
import { DynamoConversionStore } from "../../shared/adapters/dynamodb";
import { DynamoCancellationStore } from "../../shared/adapters/dynamodb/cancellations";
import { type CancellationRecord, cancellationIdOf } from "../../shared/cancellation/records";
import { newConversionId } from "../../shared/conversion/rules";
import {
  CANCELLATION_RECONCILER_RUNS_METRIC,
  CONVERSION_RECONCILER_RUNS_METRIC,
  COUPON_EXPIRY_RUNS_METRIC,
  eventCounted,
} from "../../shared/operations/log-metrics";
import type { ConversionRecord } from "../../shared/store";
import { expectAlerts } from "../support/expected-logs";
import { taro, useTestStack } from "../support/local-stack";
import { printedLines } from "../support/printed-lines";

/**
 * The reconciler against the local stack: DynamoDB Local, the real conversion ASL on the local
 * Step Functions endpoint, the emulators and the local SES. The local stack runs no schedules,
 * so the test calls the handlers the schedules would invoke (one function per job).
 */
const t = await useTestStack();
const { handler: reconcileConversions } = await import("../../functions/operations/reconcile-conversions");
const { handler: reconcileCancellations } = await import(
  "../../functions/operations/reconcile-cancellations"
);
const { handler: expireCoupons } = await import("../../functions/operations/expire-coupons");

const documents = DynamoDBDocument.from(
  new DynamoDBClient(localDynamoDbClientConfig(inject("dynamoEndpoint"))),
);
/** A conversion store whose clock stands `minutes` in the past, to leave records that look old. */
const storeAt = (minutes: number) =>
  new DynamoConversionStore({
    client: documents,
    tableName: t.names.loyalty,
    now: () => new Date(Date.now() - minutes * 60_000),
  });

async function reserveAgo(minutes: number, customerId: string, points: number): Promise<ConversionRecord> {
  const startsAt = new Date(Date.now() - minutes * 60_000);
  const result = await storeAt(minutes).reserveConversion({
    conversionId: newConversionId(),
    customerId,
    customerGid: `gid://shopify/Customer/${customerId}`,
    memberNumber: customerId,
    points,
    amount: points,
    currency: "JPY",
    code: `${customerId.slice(-5)}-${newConversionId().slice(0, 6)}-${points}`,
    startsAt: startsAt.toISOString(),
    expiresAt: new Date(startsAt.getTime() + 365 * 86_400_000).toISOString(),
    shopDate: startsAt.toISOString().slice(0, 10),
    idempotencyKey: randomUUID(),
    requestHash: "reconciler-e2e",
  });
  return result.conversion;
}

async function settled(conversionId: string): Promise<ConversionRecord | undefined> {
  for (let attempt = 0; attempt < 200; attempt += 1) {
    const record = await t.conversions.getConversion(conversionId);
    if (record && record.status !== "reserved") return record;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return t.conversions.getConversion(conversionId);
}

describe("the scheduled reconcilers", () => {
  it("starts the saga of a reservation the API never started, which then converts the points", async () => {
    // Prepare: reserved 20 minutes ago, as if the API crashed before StartExecution.
    const before = t.posBalance(taro.posCustomerId);
    const stuck = await reserveAgo(20, taro.customerId, 500);

    // Act
    const summary = await reconcileConversions({});

    // Assess
    expect(summary.conversions.started).toEqual([stuck.conversionId]);
    const record = await settled(stuck.conversionId);
    expect(record?.status).toBe("completed");
    expect(t.posBalance(taro.posCustomerId)).toBe(before - 500);
    // The trail is whole once the run has ended (its last entry follows the status).
    await t.stack.stepFunctions.waitForExecution(
      `${String(t.stack.environment.CONVERT_STATE_MACHINE_ARN).replace(":stateMachine:", ":execution:")}:${stuck.conversionId}`,
    );
    const trail = await t.trailOf(stuck.conversionId);
    expect(trail[0]).toBe("operations.saga_started:succeeded");
    expect(trail).toContain("conversion.completed:succeeded");
  });

  it("leaves a finished conversion alone on the next run", async () => {
    // Act
    const conversions = await reconcileConversions({});
    const cancellations = await reconcileCancellations({});

    // Assess
    expect(conversions).toEqual({
      conversions: expect.objectContaining({ started: [], alerted: [], failures: [] }),
    });
    expect(cancellations).toEqual({
      cancellations: expect.objectContaining({ started: [], alerted: [], failures: [] }),
    });
  });

  it.each([
    ["reconcileConversions", reconcileConversions, CONVERSION_RECONCILER_RUNS_METRIC],
    ["reconcileCancellations", reconcileCancellations, CANCELLATION_RECONCILER_RUNS_METRIC],
    ["expireCoupons", expireCoupons, COUPON_EXPIRY_RUNS_METRIC],
  ] as const)(
    "%s prints one heartbeat of its own per completed run, the metric its not-running alarm counts",
    async (_name, handler, heartbeat) => {
      // Prepare: metrics are off in tests; this reads what Lambda would print.
      vi.stubEnv("POWERTOOLS_METRICS_DISABLED", "false");

      // Act
      let lines: Array<Record<string, unknown>>;
      try {
        lines = await printedLines(() => handler({}));
      } finally {
        vi.unstubAllEnvs();
      }

      // Assess: its own heartbeat once, and no other job's.
      const heartbeats = [
        CONVERSION_RECONCILER_RUNS_METRIC,
        CANCELLATION_RECONCILER_RUNS_METRIC,
        COUPON_EXPIRY_RUNS_METRIC,
      ] as const;
      for (const metric of heartbeats) {
        expect(lines.map((line) => eventCounted(line, metric)).filter(Boolean), metric).toEqual(
          metric === heartbeat ? [1] : [],
        );
      }
    },
  );

  it("sweeps ran-out coupons on a run of its own", async () => {
    // Act
    const summary = await expireCoupons({});

    // Assess
    expect(summary).toEqual({ expiredCoupons: { moved: expect.any(Number), more: false } });
  });

  it("reminds the admins by email of a conversion waiting for review for over a day, once a day", async () => {
    // Prepare: parked for review two days ago, half an hour off the re-check schedule (the
    // reconciler would otherwise settle it: no deduction was ever sent).
    t.stack.ses.emails.clear();
    const parkedMinutesAgo = 2 * 24 * 60 + 30;
    const parked = await reserveAgo(parkedMinutesAgo, "8840734670935", 300);
    await storeAt(parkedMinutesAgo).updateConversion(parked.conversionId, ["reserved"], {
      status: "needs_review",
      reviewReason: "the deduction's outcome could not be read from the POS",
    });
    const logged = expectAlerts("needs_review");

    // Act
    const first = await reconcileConversions({});
    const second = await reconcileConversions({});

    // Assess
    expect(first.conversions.alerted).toEqual([
      { conversionId: parked.conversionId, finding: "review_pending" },
    ]);
    expect(second.conversions.alerted).toEqual([]);
    expect(second.conversions.alreadyAlerted).toBe(1);
    const mail = t.stack.ses.emails.list({ to: "ops@example.com" });
    expect(mail).toHaveLength(1);
    expect(JSON.stringify(mail[0])).toContain(parked.conversionId);
    expect(logged.lines).toEqual([expect.objectContaining({ conversionId: parked.conversionId })]);
    expect(await t.trailOf(parked.conversionId)).toContain("operations.review_pending:unknown");
  });

  it("starts the saga of a cancellation the API recorded but never started: the coupon is cancelled, the points refunded", async () => {
    // Prepare: a live coupon, then a cancellation claimed 20 minutes ago whose saga never ran.
    const converted = await t.convert(taro.customerId, 300);
    expect(converted.status).toBe(201);
    const code = (converted.body.coupon as { code: string }).code;
    const coupon = await t.coupons.getCoupon(code);
    if (!coupon) throw new Error(`No coupon ${code}`);
    const afterConversion = t.posBalance(taro.posCustomerId);
    const idempotencyKey = randomUUID();
    const cancellationId = cancellationIdOf(code, idempotencyKey);
    const cancellationsAt = (minutes: number) =>
      new DynamoCancellationStore({
        client: documents,
        tableName: t.names.loyalty,
        now: () => new Date(Date.now() - minutes * 60_000),
      });
    const begun = await cancellationsAt(20).beginCancellation({
      cancellationId,
      code,
      idempotencyKey,
      requestHash: "reconciler-e2e",
      conversionId: coupon.conversionId,
      customerId: coupon.customerId,
      customerGid: coupon.customerGid,
      discountId: coupon.discountId,
      points: coupon.pointsUsed,
      amount: coupon.amount,
      currency: coupon.currency,
      couponStartsAt: coupon.startsAt,
      couponExpiresAt: coupon.expiresAt,
      actorId: "admin-sub-1",
      cancelledBy: "ops@example.com",
      reason: "customer_request",
      requestedAt: new Date(Date.now() - 20 * 60_000).toISOString(),
    });
    expect(begun.outcome).toBe("started");
    expect((await t.coupons.getCoupon(code))?.status).toBe("cancelling");

    // Act
    const summary = await reconcileCancellations({});

    // Assess: the reconciler started it, and the saga did the whole cancellation once.
    expect(summary.cancellations.started).toEqual([cancellationId]);
    let cancellation: CancellationRecord | undefined;
    for (let attempt = 0; attempt < 200; attempt += 1) {
      cancellation = await cancellationsAt(0).getCancellation(cancellationId);
      if (cancellation?.status !== "running") break;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(cancellation?.status).toBe("cancelled");
    expect((await t.coupons.getCoupon(code))?.status).toBe("cancelled");
    expect(t.posBalance(taro.posCustomerId)).toBe(afterConversion + 300);
    const discount = t.stack.shopify.store.findDiscountByCode(code);
    expect(discount && t.stack.shopify.store.statusOf(discount)).toBe("EXPIRED");
    const trail = (await t.audit.listAuditEvents({ type: "coupon", id: code })).map((event) => event.type);
    expect(trail).toContain("operations.saga_started");

    // And the next run has nothing left to do.
    expect((await reconcileCancellations({})).cancellations).toMatchObject({
      started: [],
      alerted: [],
      failures: [],
    });
  });
});
