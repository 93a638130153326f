import { DynamoResolutionStore } from "../../shared/admin/resolution-records";
import type { ResolutionDependencies } from "../../shared/admin/review-resolution";
import { MetafieldCouponRecords } from "../../shared/conversion/coupon-record";
import {
  auditTrail,
  claimed,
  conversionRequests,
  couponStore,
  dynamo,
  env,
  pointsLedger,
  shopifyAdmin,
} from "../runtime";

/** The review resolution's adapters, built once per container on the shared composition root. */

let built: ResolutionDependencies | undefined;

export function resolutionDependencies(): ResolutionDependencies {
  built ??= build();
  return built;
}

function build(): ResolutionDependencies {
  return {
    resolutions: new DynamoResolutionStore({ client: dynamo(), tableName: env.LOYALTY_TABLE }),
    conversions: conversionRequests(),
    coupons: couponStore(),
    discounts: shopifyAdmin(),
    records: new MetafieldCouponRecords(shopifyAdmin()),
    audit: auditTrail(),
    evidence: {
      pos: pointsLedger(),
      claimed: claimed(),
      now: () => new Date(),
      // As the saga's reconciliation: a lost deduction may land up to twice the POS write timeout later.
      deductionSettleMs: 2 * env.POS_WRITE_TIMEOUT_MS,
    },
    now: () => new Date(),
    // Longer than the function may run (29 s): an older pending claim died with its request.
    abandonedClaimMs: 60_000,
  };
}
