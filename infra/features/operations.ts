import { type CountedEvent, RECONCILER_RUNS_METRIC } from "../../shared/operations/log-metrics";
import type { FunctionSpec, RouteSpec, StateMachineSpec } from "./types";

/** Operations: the scheduled reconciler and other functions no route calls. */
export const functions = {
  reconcileStuck: {
    entry: "functions/operations/reconcile-stuck.ts",
    description:
      "Scheduled: starts abandoned conversion and cancellation sagas, alerts on stuck ones and pending reviews",
    // Lists by status and re-reads one record (no writes); reads trails to alert once a day.
    capabilities: [
      "loyaltyTableRead",
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
  reconcileStuck: { rateMinutes: 5, heartbeat: RECONCILER_RUNS_METRIC },
} as const satisfies Partial<
  Record<keyof typeof functions, { readonly rateMinutes: number; readonly heartbeat?: CountedEvent }>
>;
