import { setTimeout as sleep } from "node:timers/promises";
import { DynamoAdjustmentResolutionStore } from "../../shared/adapters/dynamodb/adjustments";
import { DynamoResolutionStore } from "../../shared/adapters/dynamodb/conversion-resolutions";
import { DynamoCouponSearch } from "../../shared/adapters/dynamodb/coupon-search";
import type { AdjustmentResolutionDependencies } from "../../shared/admin/adjustment-resolution";
import type { InspectionDependencies } from "../../shared/admin/inspect";
import type { AdjustmentDependencies } from "../../shared/admin/point-adjustments";
import type { ResolutionDependencies } from "../../shared/conversion/resolution";
import { once } from "../once";
import {
  adjustmentStore,
  adminAlerts,
  auditHistory,
  auditTrail,
  claimed,
  conversionRecords,
  couponReader,
  couponRecords,
  couponStore,
  dynamo,
  env,
  pointsLedger,
  pointsReader,
  posChangeSettleMs,
  shopifyDiscounts,
} from "../runtime";

/** The admin features' composition root: lookups, point adjustments and the resolution of parked conversions. */

export const couponSearch = /* @__PURE__ */ once(
  () => new DynamoCouponSearch({ client: dynamo(), tableName: env.LOYALTY_TABLE, coupons: couponStore() }),
);

export const inspectionDependencies = /* @__PURE__ */ once(
  (): InspectionDependencies => ({
    coupons: couponStore(),
    conversions: conversionRecords(),
    audit: auditHistory(),
    ...(env.CONVERT_STATE_MACHINE_ARN ? { conversionStateMachineArn: env.CONVERT_STATE_MACHINE_ARN } : {}),
    now: () => new Date(),
  }),
);

export const adjustmentDependencies = /* @__PURE__ */ once(
  (): AdjustmentDependencies => ({
    pos: pointsLedger(),
    adjustments: adjustmentStore(),
    claimed: claimed(),
    audit: auditTrail(),
    alerts: adminAlerts(),
    now: () => new Date(),
    sleep: (ms) => sleep(ms),
    settleMs: env.ADJUSTMENT_SETTLE_MS,
    // Longer than a POS write can stay open, plus the settle wait and the reads.
    abandonedAttemptMs: env.POS_WRITE_TIMEOUT_MS + env.ADJUSTMENT_SETTLE_MS + 10_000,
    lateLandingMs: posChangeSettleMs(),
  }),
);

/**
 * For the sagas' own adjustments (a late deduction given back, a late refund taken back): nobody
 * waits on them, so a lost answer gets a saga's settle time (twice the write timeout, as a
 * deduction's or a refund's) instead of the staff route's short pause.
 */
export const sagaAdjustmentDependencies = /* @__PURE__ */ once((): AdjustmentDependencies => {
  const settleMs = posChangeSettleMs();
  return {
    ...adjustmentDependencies(),
    settleMs,
    abandonedAttemptMs: env.POS_WRITE_TIMEOUT_MS + settleMs + 10_000,
  };
});

export const resolutionDependencies = /* @__PURE__ */ once(
  (): ResolutionDependencies => ({
    resolutions: new DynamoResolutionStore({ client: dynamo(), tableName: env.LOYALTY_TABLE }),
    conversions: conversionRecords(),
    coupons: couponReader(),
    discounts: shopifyDiscounts(),
    records: couponRecords(),
    audit: auditTrail(),
    alerts: adminAlerts(),
    evidence: {
      pos: pointsReader(),
      claimed: claimed(),
      now: () => new Date(),
      deductionSettleMs: posChangeSettleMs(),
    },
    now: () => new Date(),
    // Longer than the function may run (29 s): an older pending claim died with its request.
    abandonedClaimMs: 60_000,
  }),
);

export const adjustmentResolutionDependencies = /* @__PURE__ */ once(
  (): AdjustmentResolutionDependencies => ({
    resolutions: new DynamoAdjustmentResolutionStore({ client: dynamo(), tableName: env.LOYALTY_TABLE }),
    adjustments: adjustmentStore(),
    evidence: { pos: pointsReader(), claimed: claimed(), now: () => new Date() },
    audit: auditTrail(),
    now: () => new Date(),
    // Longer than the function may run (29 s): an older pending claim died with its request.
    abandonedClaimMs: 60_000,
  }),
);
