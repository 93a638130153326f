import type { Context } from "aws-lambda";
import { countEvent, logger } from "../../shared/observability";
import { RECONCILER_RUNS_METRIC } from "../../shared/operations/log-metrics";
import {
  type CancellationReconcileReport,
  type ReconcileReport,
  reconcileStuckCancellations,
  reconcileStuckConversions,
} from "../../shared/operations/reconciler";
import { cancellationDependencies, conversionDependencies } from "./root";

type Failure = { conversionId: string; error: string } | { cancellationId: string; error: string };

/** Some records could not be revisited; the run fails so that its error alarm counts it. */
export class ReconciliationIncomplete extends Error {
  override readonly name = "ReconciliationIncomplete";
  constructor(readonly failures: readonly Failure[]) {
    super(
      `${failures.length} record(s) could not be reconciled: ${failures
        .map((f) => ("conversionId" in f ? f.conversionId : f.cancellationId))
        .join(", ")}`,
    );
  }
}

const summaryOf = (report: ReconcileReport | CancellationReconcileReport) => ({
  examined: report.examined,
  started: report.started,
  settled: report.settled,
  deactivated: report.deactivated,
  alerted: report.alerted,
  alreadyAlerted: report.alreadyAlerted.length,
  failures: report.failures,
});

/**
 * Run by an EventBridge schedule (no route): revisits conversions and cancellations stuck outside
 * a terminal state, and settles parked ones once the POS evidence is clear. One kind's trouble
 * does not keep the other from being looked at.
 */
export async function handler(_event: unknown, context?: Context) {
  if (context) logger.addContext(context);
  const [conversionReport, cancellationReport] = await Promise.all([
    reconcileStuckConversions(conversionDependencies()),
    reconcileStuckCancellations(cancellationDependencies()),
  ]);
  const summary = { conversions: summaryOf(conversionReport), cancellations: summaryOf(cancellationReport) };
  logger.info("reconciliation done", summary);
  // The heartbeat: the run got through both lists (failures have their own alarm).
  countEvent(RECONCILER_RUNS_METRIC);
  const failures: Failure[] = [...conversionReport.failures, ...cancellationReport.failures];
  if (failures.length > 0) throw new ReconciliationIncomplete(failures);
  return summary;
}
