import type { Context } from "aws-lambda";
import { CONVERSION_RECONCILER_RUNS_METRIC } from "../../shared/operations/log-metrics";
import { reconcileStuckConversions } from "../../shared/operations/reconciler";
import { conversionDependencies } from "./root";
import { scheduledRun, summaryOf } from "./scheduled";

/**
 * Scheduled: revisits conversions stuck outside a terminal state (starts a saga the API never
 * started, alerts on the rest) and settles parked ones once the POS evidence is clear.
 */
export function handler(_event: unknown, context?: Context) {
  return scheduledRun(context, CONVERSION_RECONCILER_RUNS_METRIC, async () => {
    const report = await reconcileStuckConversions(conversionDependencies());
    return { summary: { conversions: summaryOf(report) }, failures: report.failures };
  });
}
