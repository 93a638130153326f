import type { Context } from "aws-lambda";
import { COUPON_EXPIRY_RUNS_METRIC } from "../../shared/operations/log-metrics";
import { couponExpiry } from "./root";
import { scheduledRun } from "./scheduled";

/**
 * Scheduled: sweeps the coupons that ran out into the expired partition of the status index
 * (`DynamoCouponExpiry.indexExpired`), which keeps the staff's active and expired listings reading
 * about one page per page.
 */
export function handler(_event: unknown, context?: Context) {
  return scheduledRun(context, COUPON_EXPIRY_RUNS_METRIC, async () => {
    const expiredCoupons = await couponExpiry()
      .indexExpired(new Date())
      .catch((error: unknown) => ({ error: error instanceof Error ? error.message : String(error) }));
    return {
      summary: { expiredCoupons },
      failures:
        "error" in expiredCoupons ? [{ couponExpiry: true as const, error: expiredCoupons.error }] : [],
    };
  });
}
