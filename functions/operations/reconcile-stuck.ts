import type { Context } from "aws-lambda";
import { countEvent, logger } from "../../shared/observability";
import { RECONCILER_RUNS_METRIC } from "../../shared/operations/log-metrics";
import {
  type CancellationReconcileReport,
  type ReconcileReport,
  reconcileStuckCancellations,
  reconcileStuckConversions,
} from "../../shared/operations/reconciler";
import { cancellationDependencies, conversionDependencies, couponExpiry } from "./root";

type Failure =
  | { conversionId: string; error: string }
  | { cancellationId: string; error: string }
  | { couponExpiry: true; error: string };

/** Some records could not be revisited; the run fails so that its error alarm counts it. */
export class ReconciliationIncomplete extends Error {
  override readonly name = "ReconciliationIncomplete";
  constructor(readonly failures: readonly Failure[]) {
    super(
      `${failures.length} record(s) could not be reconciled: ${failures
        .map((f) =>
          "conversionId" in f ? f.conversionId : "cancellationId" in f ? f.cancellationId : "coupon expiry",
        )
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
 * does not keep the other from being looked at. It also sweeps the coupons that ran out into the
 * expired partition of the status index (`indexExpired`), which keeps the staff's active and
 * expired listings reading about one page per page.
 */
export async function handler(_event: unknown, context?: Context) {
  if (context) logger.addContext(context);
  const [conversionReport, cancellationReport, expiry] = await Promise.all([
    reconcileStuckConversions(conversionDependencies()),
    reconcileStuckCancellations(cancellationDependencies()),
    couponExpiry()
      .indexExpired(new Date())
      .catch((error: unknown) => ({ error: error instanceof Error ? error.message : String(error) })),
  ]);
  const summary = {
    conversions: summaryOf(conversionReport),
    cancellations: summaryOf(cancellationReport),
    expiredCoupons: expiry,
  };
  logger.info("reconciliation done", summary);
  // The heartbeat: the run got through both lists (failures have their own alarm).
  countEvent(RECONCILER_RUNS_METRIC);
  const failures: Failure[] = [
    ...conversionReport.failures,
    ...cancellationReport.failures,
    ...("error" in expiry ? [{ couponExpiry: true as const, error: expiry.error }] : []),
  ];
  if (failures.length > 0) throw new ReconciliationIncomplete(failures);
  return summary;
}
