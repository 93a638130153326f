import type { Context } from "aws-lambda";
import { required } from "../../shared/config";
import { logger } from "../../shared/observability";
import type { ReconcilerDependencies } from "../../shared/operations/ports";
import { type ReconcileReport, reconcileStuckConversions } from "../../shared/operations/reconciler";
import { StepFunctionsConversionSagaRuns } from "../../shared/operations/step-functions";
import { adminAlerts, auditTrail, conversionRequests, env, sfn } from "../runtime";

/** Some conversions could not be revisited; the run fails so that its error alarm counts it. */
export class ReconciliationIncomplete extends Error {
  override readonly name = "ReconciliationIncomplete";
  constructor(readonly failures: ReconcileReport["failures"]) {
    super(
      `${failures.length} conversion(s) could not be reconciled: ${failures.map((f) => f.conversionId).join(", ")}`,
    );
  }
}

let dependencies: ReconcilerDependencies | undefined;
function reconcilerDependencies(): ReconcilerDependencies {
  dependencies ??= {
    conversions: conversionRequests(),
    sagas: new StepFunctionsConversionSagaRuns(
      sfn(),
      required(env, "CONVERT_STATE_MACHINE_ARN", "starting abandoned conversion sagas"),
    ),
    audit: auditTrail(),
    alerts: adminAlerts(),
    now: () => new Date(),
  };
  return dependencies;
}

/** Run by an EventBridge schedule (no route): revisits conversions stuck outside a terminal state. */
export async function handler(_event: unknown, context?: Context) {
  if (context) logger.addContext(context);
  const report = await reconcileStuckConversions(reconcilerDependencies());
  const summary = {
    examined: report.examined,
    started: report.started,
    alerted: report.alerted,
    alreadyAlerted: report.alreadyAlerted.length,
    failures: report.failures,
  };
  logger.info("reconciliation done", summary);
  if (report.failures.length > 0) throw new ReconciliationIncomplete(report.failures);
  return summary;
}
