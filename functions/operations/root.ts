import { DynamoCouponExpiry } from "../../shared/adapters/dynamodb/coupon-expiry";
import { cancellationSagaRuns, conversionSagaRuns } from "../../shared/adapters/stepfunctions/saga-runs";
import { required } from "../../shared/config";
import { healParkedCancellation, healParkedConversion } from "../../shared/operations/parked";
import type {
  CancellationReconcilerDependencies,
  ReconcilerDependencies,
} from "../../shared/operations/ports";
import { resolutionDependencies } from "../admin/root";
import { cancellationListings, cancellationResolutionDependencies } from "../cancel-coupon/root";
import { once } from "../once";
import {
  adminAlerts,
  auditHistory,
  auditTrail,
  conversionListings,
  conversionRecords,
  dynamo,
  env,
  sfn,
} from "../runtime";

/**
 * The scheduled jobs' composition root: the saga runs the reconcilers restart, the resolutions of
 * the conversion and cancellation features, which settle parked records once the POS is clear, and
 * the coupon expiry sweep. Each job is a function of its own and builds only its own part.
 */

export const conversionDependencies = /* @__PURE__ */ once(
  (): ReconcilerDependencies => ({
    conversions: conversionListings(),
    sagas: conversionSagaRuns(
      sfn(),
      required(env, "CONVERT_STATE_MACHINE_ARN", "starting abandoned conversion sagas"),
    ),
    healParked: (conversion) =>
      healParkedConversion(
        { resolution: resolutionDependencies(), conversions: conversionRecords(), audit: auditTrail() },
        conversion,
      ),
    audit: auditHistory(),
    alerts: adminAlerts(),
    now: () => new Date(),
  }),
);

export const cancellationDependencies = /* @__PURE__ */ once(
  (): CancellationReconcilerDependencies => ({
    cancellations: cancellationListings(),
    sagas: cancellationSagaRuns(
      sfn(),
      required(env, "CANCEL_STATE_MACHINE_ARN", "starting abandoned cancellation sagas"),
    ),
    healParked: (cancellation) => healParkedCancellation(cancellationResolutionDependencies(), cancellation),
    audit: auditHistory(),
    alerts: adminAlerts(),
    now: () => new Date(),
  }),
);

/** The coupon expiry sweep (`expireCoupons`). */
export const couponExpiry = /* @__PURE__ */ once(
  () => new DynamoCouponExpiry({ client: dynamo(), tableName: env.LOYALTY_TABLE }),
);
