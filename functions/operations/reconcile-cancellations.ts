import type { Context } from "aws-lambda";
import { CANCELLATION_RECONCILER_RUNS_METRIC } from "../../shared/operations/log-metrics";
import { reconcileStuckCancellations } from "../../shared/operations/reconciler";
import { cancellationDependencies } from "./root";
import { scheduledRun, summaryOf } from "./scheduled";

/**
 * Scheduled: revisits cancellations stuck outside a terminal state (starts a saga the API never
 * started, alerts on the rest) and settles parked ones once the POS evidence is clear.
 */
export function handler(_event: unknown, context?: Context) {
  return scheduledRun(context, CANCELLATION_RECONCILER_RUNS_METRIC, async () => {
    const report = await reconcileStuckCancellations(cancellationDependencies());
    return { summary: { cancellations: summaryOf(report) }, failures: report.failures };
  });
}
