import type { Context } from "aws-lambda";
import { countEvent, logger } from "../../shared/observability";
import type { CountedEvent } from "../../shared/operations/log-metrics";
import type { CancellationReconcileReport, ReconcileReport } from "../../shared/operations/reconciler";

/** What one record (or the sweep) left undone, with why. */
export type Failure =
  | { conversionId: string; error: string }
  | { cancellationId: string; error: string }
  | { couponExpiry: true; error: string };

/** What a reconciler's run logs and answers of its report. */
export const summaryOf = (report: ReconcileReport | CancellationReconcileReport) => ({
  examined: report.examined,
  started: report.started,
  settled: report.settled,
  deactivated: report.deactivated,
  alerted: report.alerted,
  alreadyAlerted: report.alreadyAlerted.length,
  failures: report.failures,
});

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

/**
 * One run of a scheduled job (an EventBridge schedule invokes it; no route): logs what it did,
 * counts the job's heartbeat once it got through its list (failures have their own alarm), and
 * fails the run when some records were left undone.
 */
export async function scheduledRun<Summary extends Record<string, unknown>>(
  context: Context | undefined,
  heartbeat: CountedEvent,
  run: () => Promise<{ summary: Summary; failures: readonly Failure[] }>,
): Promise<Summary> {
  if (context) logger.addContext(context);
  const { summary, failures } = await run();
  logger.info("reconciliation done", summary);
  countEvent(heartbeat);
  if (failures.length > 0) throw new ReconciliationIncomplete(failures);
  return summary;
}
