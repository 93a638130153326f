import { MetafieldCouponRecords } from "../../shared/adapters/shopify/coupon-records";
import type { AdjustmentDependencies } from "../../shared/admin/point-adjustments";
import type { CancellationResolutionDependencies } from "../../shared/cancellation/resolution";
import type { CancellationDependencies, CancellationOrder } from "../../shared/cancellation/saga";
import type { ResolutionDependencies } from "../../shared/conversion/resolution";
import type { ConversionOrder, SagaDependencies } from "../../shared/conversion/saga";
import { claimedTransactions } from "../../shared/pos/evidence";
import { FakePos } from "./fake-pos";
import { FakeShopify } from "./fake-shopify";
import {
  FakeTables,
  InMemoryAdjustmentStore,
  InMemoryAuditTrail,
  InMemoryCancellationResolutionStore,
  InMemoryCancellationStore,
  InMemoryConversionStore,
  InMemoryCouponStore,
  InMemoryResolutionStore,
  RecordingAlerts,
  RecordingNotices,
  TestClock,
} from "./fake-stores";

/**
 * One shop in memory: a fake POS and Shopify, the stores, alerts and notices, on one test clock,
 * wired into each domain function's dependencies the way the composition roots wire the real
 * adapters (functions/runtime.ts and each feature's functions/<feature>/root.ts).
 */

export const member = { number: "8840734670934", posId: "1001" } as const;
export const customerGid = `gid://shopify/Customer/${member.number}`;

/** The POS write timeout the settle times derive from, as in `2 * POS_WRITE_TIMEOUT_MS`. */
export const settleMs = 30_000;

export function fakeWorld(options: { balance?: number; start?: string } = {}) {
  const clock = new TestClock(options.start);
  const tables = new FakeTables(clock);
  const pos = new FakePos({ now: clock.now }).withMember(
    member.number,
    member.posId,
    options.balance ?? 1250,
  );
  const shopify = new FakeShopify({ now: clock.now }).withCustomer({ id: customerGid });
  const conversions = new InMemoryConversionStore(tables);
  const coupons = new InMemoryCouponStore(tables);
  const audit = new InMemoryAuditTrail(tables);
  const cancellations = new InMemoryCancellationStore(tables);
  const adjustments = new InMemoryAdjustmentStore(tables);
  const alerts = new RecordingAlerts();
  const notices = new RecordingNotices();
  const records = new MetafieldCouponRecords(shopify);
  // The one "transactions already claimed" implementation, over the in-memory stores.
  const claimed = claimedTransactions({ conversions, coupons, adjustments });

  const saga: SagaDependencies = {
    pos,
    discountIssuer: shopify,
    discounts: shopify,
    records,
    conversions,
    completion: conversions,
    coupons,
    claimed,
    audit,
    alerts,
    now: clock.now,
    deductionSettleMs: settleMs,
  };

  const cancellation: CancellationDependencies = {
    pos,
    discounts: shopify,
    customers: shopify,
    records,
    coupons,
    claimed,
    cancellations,
    audit,
    alerts,
    notices,
    defaultLocale: "ja",
    now: clock.now,
  };

  const resolution: ResolutionDependencies = {
    resolutions: new InMemoryResolutionStore(tables),
    conversions,
    coupons,
    discounts: shopify,
    records,
    audit,
    alerts,
    evidence: {
      pos,
      claimed,
      now: clock.now,
      deductionSettleMs: settleMs,
    },
    now: clock.now,
    abandonedClaimMs: 60_000,
  };

  const cancellationResolution: CancellationResolutionDependencies = {
    resolutions: new InMemoryCancellationResolutionStore(tables),
    saga: cancellation,
    refundSettleMs: settleMs,
    abandonedClaimMs: 60_000,
  };

  const slept: number[] = [];
  const adjustment: AdjustmentDependencies = {
    pos,
    adjustments,
    claimed,
    audit,
    alerts,
    now: clock.now,
    // The settle wait passes on the test clock, at once.
    sleep: async (ms) => {
      slept.push(ms);
      clock.advance(ms);
    },
    settleMs,
    abandonedAttemptMs: 2 * settleMs,
    lateLandingMs: settleMs,
  };

  return {
    clock,
    tables,
    pos,
    shopify,
    conversions,
    coupons,
    audit,
    cancellations,
    adjustments,
    alerts,
    notices,
    slept,
    deps: { saga, cancellation, resolution, cancellationResolution, adjustment },
  };
}

export type FakeWorld = ReturnType<typeof fakeWorld>;

/** A 500-point conversion for 500 JPY, reserved in the world's conversion store. */
export async function reservedConversion(
  world: FakeWorld,
  overrides: Partial<ConversionOrder> = {},
): Promise<ConversionOrder> {
  const startsAt = world.clock.now().toISOString();
  const order: ConversionOrder = {
    conversionId: "CONV1",
    customerId: member.number,
    customerGid,
    memberNumber: member.number,
    points: 500,
    amount: 500,
    currency: "JPY",
    code: "70934-AB12CD-500",
    startsAt,
    expiresAt: new Date(world.clock.now().getTime() + 365 * 24 * 3600_000).toISOString(),
    shopDate: startsAt.slice(0, 10),
    ...overrides,
  };
  await world.conversions.reserveConversion({
    ...order,
    idempotencyKey: `key-${order.conversionId}`,
    requestHash: "hash",
  });
  return order;
}

/**
 * An issued 500-point coupon (its Shopify code and its `active` record) and a running
 * cancellation of it, as the cancellation API leaves them before the saga starts.
 */
export async function runningCancellation(
  world: FakeWorld,
  overrides: Partial<CancellationOrder> = {},
): Promise<CancellationOrder> {
  const now = world.clock.now();
  const code = overrides.code ?? "70934-AB12CD-500";
  const conversionId = overrides.conversionId ?? "CONV1";
  const startsAt = new Date(now.getTime() - 24 * 3600_000).toISOString();
  const expiresAt = new Date(now.getTime() + 364 * 24 * 3600_000).toISOString();
  const discount = world.shopify.seedDiscount({
    code,
    title: `Loyalty reward 500 points #${conversionId}`,
    startsAt,
    endsAt: expiresAt,
  });
  await world.coupons.putCoupon({
    code,
    conversionId,
    customerId: member.number,
    customerGid,
    discountId: discount.discountId,
    amount: 500,
    currency: "JPY",
    pointsUsed: 500,
    type: "fixed_discount",
    status: "active",
    startsAt,
    expiresAt,
  });
  const order: CancellationOrder = {
    cancellationId: `${code}-0123456789abcdef0123`,
    code,
    conversionId,
    customerId: member.number,
    customerGid,
    discountId: discount.discountId,
    points: 500,
    amount: 500,
    currency: "JPY",
    couponStartsAt: startsAt,
    couponExpiresAt: expiresAt,
    actorId: "admin-subject-1",
    cancelledBy: "ops@example.com",
    reason: "customer_request",
    requestedAt: now.toISOString(),
    ...overrides,
  };
  const begun = await world.cancellations.beginCancellation({
    ...order,
    idempotencyKey: "cancel-key-1",
    requestHash: "hash",
  });
  if (begun.outcome !== "started") throw new Error(`cancellation not started: ${begun.outcome}`);
  return order;
}

/** What a Catch writes for an error thrown by a task Lambda (`ResultPath: $.error`). */
export async function caught(act: () => Promise<unknown>): Promise<{ Error: string; Cause: string }> {
  try {
    await act();
  } catch (error) {
    if (!(error instanceof Error)) throw error;
    return {
      Error: error.name,
      Cause: JSON.stringify({ errorType: error.name, errorMessage: error.message }),
    };
  }
  throw new Error("expected the step to throw");
}

/**
 * A staff point adjustment of `points` (signed) recorded at the clock's now, as the adjustment route
 * leaves it: `applied` owning `transactionHeadIds`, or an attempt whose answer was lost.
 */
export async function staffAdjustment(
  world: FakeWorld,
  points: number,
  outcome: { status: "applied"; transactionHeadIds: string[] } | { status: "pending" | "needs_review" },
) {
  const at = world.clock.now().toISOString();
  await world.adjustments.create({
    adjustmentId: "ADJ1",
    customerId: member.number,
    idempotencyKey: "adj-key",
    requestHash: "h",
    points,
    reason: "correction",
    requestedBy: "admin",
    requestedByLabel: "ops@example.com",
    posCustomerId: member.posId,
    attempts: 1,
    firstAttemptAt: at,
    attemptStartedAt: at,
    ...outcome,
  });
}
