import {
  CANCELLATION_RECONCILER_RUNS_METRIC,
  CONVERSION_RECONCILER_RUNS_METRIC,
  COUPON_EXPIRY_RUNS_METRIC,
} from "../../shared/operations/log-metrics";
import { RECONCILE_RATE_MINUTES } from "../../shared/operations/reconciler";
import type { FunctionSchedule, FunctionSpec, RouteSpec, StateMachineSpec } from "./types";

/**
 * Operations: the scheduled jobs, which no route calls, one function each (each bundles only its
 * own job, and each job has its own schedule, heartbeat and alarms).
 */
export const functions = {
  reconcileConversions: {
    entry: "functions/operations/reconcile-conversions.ts",
    description:
      "Scheduled: starts abandoned conversion sagas, settles parked conversions from the POS, alerts on the rest",
    // Lists by status and re-reads records; reads trails to alert once a day. Settling a parked
    // conversion runs its review resolution: it reads the POS (never writes it), reactivates,
    // deactivates or deletes Shopify codes, saves the customer's coupon record and commits the
    // resolution transaction.
    capabilities: [
      "loyaltyTableRead",
      "loyaltyTableWrite",
      // A conversion settled by its resolution frees the customer's lease.
      "releaseLease",
      "pos",
      "shopify",
      "startConversion",
      "auditAppend",
      "auditRead",
      "sendEmail",
    ],
    timeoutSeconds: 120,
  },
  reconcileCancellations: {
    entry: "functions/operations/reconcile-cancellations.ts",
    description:
      "Scheduled: starts abandoned cancellation sagas, settles parked cancellations from the POS, alerts on the rest",
    // As reconcileConversions. Settling a parked cancellation runs its review resolution: it reads
    // the POS (never writes it), reactivates a given-back code, saves the customer's coupon record
    // and emails the customer whose cancellation stands.
    capabilities: [
      "loyaltyTableRead",
      "loyaltyTableWrite",
      "pos",
      "shopify",
      "startCancellation",
      "auditAppend",
      "auditRead",
      "sendEmail",
    ],
    timeoutSeconds: 120,
  },
  expireCoupons: {
    entry: "functions/operations/expire-coupons.ts",
    description: "Scheduled: sweeps ran-out coupons into the expired listing",
    // Queries the ran-out key range and moves each coupon's listing keys; never a record.
    capabilities: ["loyaltyTableRead", "loyaltyTableWrite"],
    timeoutSeconds: 120,
  },
} as const satisfies Record<string, FunctionSpec>;

export const routes: readonly RouteSpec<keyof typeof functions>[] = [];

export const stateMachines = {} as const satisfies Record<string, StateMachineSpec<keyof typeof functions>>;

/**
 * Functions run on a schedule, by name, every `rateMinutes`, with the metric each completed run
 * counts (`heartbeat`), whose absence rings an alarm. The catalog's types have no schedule field,
 * so the CDK stack reads this table (the local stack runs no schedules; tests call the handler
 * directly).
 */
export const schedules = {
  reconcileConversions: {
    rateMinutes: RECONCILE_RATE_MINUTES,
    heartbeat: CONVERSION_RECONCILER_RUNS_METRIC,
    stopped: "stuck and parked conversions are not being revisited",
  },
  reconcileCancellations: {
    rateMinutes: RECONCILE_RATE_MINUTES,
    heartbeat: CANCELLATION_RECONCILER_RUNS_METRIC,
    stopped: "stuck and parked cancellations are not being revisited",
  },
  expireCoupons: {
    rateMinutes: RECONCILE_RATE_MINUTES,
    heartbeat: COUPON_EXPIRY_RUNS_METRIC,
    stopped:
      "ran-out coupons stay in the active listing partition, which the staff's active and expired listings then read through",
  },
} as const satisfies Partial<Record<keyof typeof functions, FunctionSchedule>>;
