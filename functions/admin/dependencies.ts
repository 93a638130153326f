import { setTimeout as sleep } from "node:timers/promises";
import { z } from "zod";
import { DynamoCouponSearch } from "../../shared/admin/coupon-search";
import type { InspectionDependencies } from "../../shared/admin/inspect";
import type { AdjustmentDependencies } from "../../shared/admin/point-adjustments";
import {
  adjustmentStore,
  adminAlerts,
  auditTrail,
  claimed,
  conversionRequests,
  couponStore,
  dynamo,
  env,
  pointsLedger,
} from "../runtime";

/** The admin functions' adapters, built on the shared composition root. */

const adminSettings = z
  .object({
    /** How long a point change whose answer was lost gets to land before the POS is read. */
    ADJUSTMENT_SETTLE_MS: z.coerce.number().int().nonnegative().default(3_000),
  })
  .parse(process.env);

function once<T>(build: () => T): () => T {
  let value: T | undefined;
  return () => {
    value ??= build();
    return value;
  };
}

export const couponSearch = once(
  () => new DynamoCouponSearch({ client: dynamo(), tableName: env.LOYALTY_TABLE, coupons: couponStore() }),
);

export const inspectionDependencies = once(
  (): InspectionDependencies => ({
    coupons: couponStore(),
    conversions: conversionRequests(),
    audit: auditTrail(),
    ...(env.CONVERT_STATE_MACHINE_ARN ? { conversionStateMachineArn: env.CONVERT_STATE_MACHINE_ARN } : {}),
    now: () => new Date(),
  }),
);

export const adjustmentDependencies = once(
  (): AdjustmentDependencies => ({
    pos: pointsLedger(),
    adjustments: adjustmentStore(),
    claimed: claimed(),
    audit: auditTrail(),
    alerts: adminAlerts(),
    now: () => new Date(),
    sleep: (ms) => sleep(ms),
    settleMs: adminSettings.ADJUSTMENT_SETTLE_MS,
    // Longer than a POS write can stay open, plus the settle wait and the reads.
    abandonedAttemptMs: env.POS_WRITE_TIMEOUT_MS + adminSettings.ADJUSTMENT_SETTLE_MS + 10_000,
  }),
);
