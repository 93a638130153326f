import { type CountedEvent, RECONCILER_RUNS_METRIC } from "../../shared/operations/log-metrics";
import { RECONCILE_RATE_MINUTES } from "../../shared/operations/reconciler";
import type { FunctionSpec, RouteSpec, StateMachineSpec } from "./types";

/** Operations: the scheduled reconciler and other functions no route calls. */
export const functions = {
  reconcileStuck: {
    entry: "functions/operations/reconcile-stuck.ts",
    description:
      "Scheduled: starts abandoned conversion and cancellation sagas, settles parked ones from the POS, alerts on the rest, sweeps ran-out coupons into the expired listing",
    // Lists by status and re-reads records; reads trails to alert once a day. Settling parked
    // work runs the review resolutions: it reads the POS (never writes it), reactivates, deactivates
    // or deletes Shopify codes, and commits the resolution transactions; a given-back coupon is emailed.
    capabilities: [
      "loyaltyTableRead",
      "loyaltyTableWrite",
      // A conversion settled by its resolution frees the customer's lease.
      "releaseLease",
      "pos",
      "shopify",
      "startConversion",
      "startCancellation",
      "auditAppend",
      "auditRead",
      "sendEmail",
    ],
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
  reconcileStuck: { rateMinutes: RECONCILE_RATE_MINUTES, heartbeat: RECONCILER_RUNS_METRIC },
} as const satisfies Partial<
  Record<keyof typeof functions, { readonly rateMinutes: number; readonly heartbeat?: CountedEvent }>
>;
