import { cancellationSagaRuns, conversionSagaRuns } from "../../shared/adapters/stepfunctions/saga-runs";
import { required } from "../../shared/config";
import { healParkedCancellation, healParkedConversion } from "../../shared/operations/parked";
import type {
  CancellationReconcilerDependencies,
  ReconcilerDependencies,
} from "../../shared/operations/ports";
import { resolutionDependencies } from "../admin/root";
import { cancellationResolutionDependencies, cancellationStore } from "../cancel-coupon/root";
import { once } from "../once";
import { adminAlerts, auditTrail, conversionRequests, couponStore, env, sfn } from "../runtime";

/**
 * The reconciler's composition root: the saga runs it restarts, and the resolutions of the
 * conversion and cancellation features, which settle parked records once the POS is clear.
 */

export const conversionDependencies = /* @__PURE__ */ once(
  (): ReconcilerDependencies => ({
    conversions: conversionRequests(),
    sagas: conversionSagaRuns(
      sfn(),
      required(env, "CONVERT_STATE_MACHINE_ARN", "starting abandoned conversion sagas"),
    ),
    healParked: (conversion) =>
      healParkedConversion(
        { resolution: resolutionDependencies(), conversions: conversionRequests(), audit: auditTrail() },
        conversion,
      ),
    audit: auditTrail(),
    alerts: adminAlerts(),
    now: () => new Date(),
  }),
);

export const cancellationDependencies = /* @__PURE__ */ once(
  (): CancellationReconcilerDependencies => ({
    cancellations: cancellationStore(),
    sagas: cancellationSagaRuns(
      sfn(),
      required(env, "CANCEL_STATE_MACHINE_ARN", "starting abandoned cancellation sagas"),
    ),
    healParked: (cancellation) => healParkedCancellation(cancellationResolutionDependencies(), cancellation),
    audit: auditTrail(),
    alerts: adminAlerts(),
    now: () => new Date(),
  }),
);

/** The coupon expiry sweep the reconciler's runs also do (`DynamoCouponStore.indexExpired`). */
export const couponExpiry = once(() => couponStore());
