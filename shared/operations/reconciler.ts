import { orderOf } from "../conversion/request";
import type { AuditEvent, ConversionRecord, ConversionStatus } from "../store";
import type { ReconcilerDependencies, SagaRun } from "./ports";

/**
 * The scheduled reconciler: revisits conversions that stay outside a terminal state.
 *
 * - `reserved` for longer than `startAfterMs`: the API reserved the conversion but may have
 *   crashed before starting its saga. Starting it under the conversion id is idempotent, so the
 *   reconciler simply starts it; the answer also tells whether a run already existed.
 *   - no run existed: it now runs (audited);
 *   - a run has been going for longer than `runningAlertAfterMs`: admins are alerted;
 *   - a run ended but left the conversion `reserved`: admins are alerted. The reconciler never
 *     decides the outcome itself: points may or may not have been taken.
 * - `needs_review` for longer than `reviewReminderAfterMs`: a reminder to the admins.
 *
 * Each alert is recorded in the conversion's audit trail and repeated at most once per
 * `realertAfterMs`, so a schedule every few minutes does not flood the admins.
 */

export interface ReconcilerThresholds {
  startAfterMs: number;
  runningAlertAfterMs: number;
  reviewReminderAfterMs: number;
  realertAfterMs: number;
  /** Conversions looked at per status and run; the next run continues with what is left. */
  maxPerStatus: number;
}

const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;

export const defaultThresholds: ReconcilerThresholds = {
  // Well past the API's 29 s timeout: a reservation this old whose saga is not running was abandoned.
  startAfterMs: 15 * MINUTE,
  // A conversion saga's retries and waits add up to a few minutes at most.
  runningAlertAfterMs: 30 * MINUTE,
  reviewReminderAfterMs: DAY,
  realertAfterMs: DAY,
  maxPerStatus: 500,
};

/** Who the reconciler is in audit trails. */
export const RECONCILER_ACTOR = { kind: "system", id: "operations/reconcile-stuck" } as const;

export type Finding = "saga_running_too_long" | "saga_ended_without_outcome" | "review_pending";

export const findingAuditType = (finding: Finding) => `operations.${finding}`;
export const SAGA_STARTED_AUDIT_TYPE = "operations.saga_started";

export interface ReconcileReport {
  examined: number;
  /** Sagas the reconciler started because none had run. */
  started: string[];
  /** Alerts raised now, by finding. */
  alerted: Array<{ conversionId: string; finding: Finding }>;
  /** Findings already alerted within `realertAfterMs`. */
  alreadyAlerted: Array<{ conversionId: string; finding: Finding }>;
  /** Conversions the run could not handle; the next run tries again. */
  failures: Array<{ conversionId: string; error: string }>;
}

export async function reconcileStuckConversions(
  deps: ReconcilerDependencies,
  overrides: Partial<ReconcilerThresholds> = {},
): Promise<ReconcileReport> {
  const thresholds = { ...defaultThresholds, ...overrides };
  const now = deps.now();
  const report: ReconcileReport = { examined: 0, started: [], alerted: [], alreadyAlerted: [], failures: [] };

  const handle = async (conversion: ConversionRecord, work: () => Promise<void>) => {
    report.examined += 1;
    try {
      await work();
    } catch (error) {
      report.failures.push({
        conversionId: conversion.conversionId,
        error: error instanceof Error ? `${error.name}: ${error.message}` : String(error),
      });
    }
  };

  const reserved = await olderThan(deps, "reserved", "createdAt", now, thresholds.startAfterMs, thresholds);
  for (const conversion of reserved) {
    await handle(conversion, async () => {
      // The API's own input (reward snapshot included): Step Functions recognises a running
      // execution only when name and input are identical, and a started saga needs all of it.
      const run = await deps.sagas.ensureStarted(orderOf(conversion));
      const finding = findingFor(run, now, thresholds);
      if (run.state === "started") {
        await deps.audit.appendAuditEvent({
          subject: { type: "conversion", id: conversion.conversionId },
          type: SAGA_STARTED_AUDIT_TYPE,
          actor: RECONCILER_ACTOR,
          outcome: "succeeded",
          detail: `Reserved at ${conversion.createdAt} with no saga run: started it`,
          externalIds: { executionArn: run.executionArn },
        });
        report.started.push(conversion.conversionId);
      } else if (finding) {
        // The saga may have finished between the listing and the start: only a conversion that is
        // still reserved is stuck.
        const current = await deps.conversions.getConversion(conversion.conversionId);
        if (current?.status !== "reserved") return;
        await alertOnce(deps, report, current, finding, now, thresholds, run);
      }
    });
  }

  const parked = await olderThan(
    deps,
    "needs_review",
    "updatedAt",
    now,
    thresholds.reviewReminderAfterMs,
    thresholds,
  );
  for (const conversion of parked) {
    await handle(conversion, () => alertOnce(deps, report, conversion, "review_pending", now, thresholds));
  }
  return report;
}

function findingFor(run: SagaRun, now: Date, thresholds: ReconcilerThresholds): Finding | undefined {
  switch (run.state) {
    case "started":
      return undefined;
    case "running":
      return now.getTime() - run.startedAt.getTime() >= thresholds.runningAlertAfterMs
        ? "saga_running_too_long"
        : undefined;
    case "ended":
      return "saga_ended_without_outcome";
  }
}

/** Conversions of a status whose `field` is older than `ageMs`, oldest last (the index is newest first). */
async function olderThan(
  deps: ReconcilerDependencies,
  status: ConversionStatus,
  field: "createdAt" | "updatedAt",
  now: Date,
  ageMs: number,
  thresholds: ReconcilerThresholds,
): Promise<ConversionRecord[]> {
  const found: ConversionRecord[] = [];
  let cursor: string | undefined;
  let listed = 0;
  do {
    const page = await deps.conversions.listConversionsByStatus(status, {
      limit: 100,
      ...(cursor ? { cursor } : {}),
    });
    listed += page.items.length;
    found.push(...page.items.filter((conversion) => now.getTime() - Date.parse(conversion[field]) >= ageMs));
    cursor = page.nextCursor;
  } while (cursor && listed < thresholds.maxPerStatus);
  return found;
}

const summaries: Readonly<Record<Finding, (conversion: ConversionRecord) => string>> = {
  saga_running_too_long: (c) => `Conversion ${c.conversionId} is still running long after its reservation`,
  saga_ended_without_outcome: (c) =>
    `Conversion ${c.conversionId}'s saga ended but left it reserved: points may or may not have been taken`,
  review_pending: (c) => `Conversion ${c.conversionId} has been waiting for review since ${c.updatedAt}`,
};

async function alertOnce(
  deps: ReconcilerDependencies,
  report: ReconcileReport,
  conversion: ConversionRecord,
  finding: Finding,
  now: Date,
  thresholds: ReconcilerThresholds,
  run?: SagaRun,
): Promise<void> {
  const subject = { type: "conversion", id: conversion.conversionId } as const;
  const trail = await deps.audit.listAuditEvents(subject);
  if (alertedRecently(trail, finding, now, thresholds.realertAfterMs)) {
    report.alreadyAlerted.push({ conversionId: conversion.conversionId, finding });
    return;
  }
  const summary = summaries[finding](conversion);
  // Recorded before the alert: a crash in between loses one email rather than sending one every run.
  await deps.audit.appendAuditEvent({
    subject,
    type: findingAuditType(finding),
    actor: RECONCILER_ACTOR,
    outcome: "unknown",
    detail: summary,
    data: { status: conversion.status, points: conversion.points, ...(run ? { saga: run.state } : {}) },
    ...(run ? { externalIds: { executionArn: run.executionArn } } : {}),
  });
  // No dedicated alert kind exists for a stuck saga; needs_review is the one that asks an operator to look.
  await deps.alerts.raise("needs_review", summary, {
    conversionId: conversion.conversionId,
    customerId: conversion.customerId,
    code: conversion.code,
    points: conversion.points,
    finding,
    ...(conversion.reviewReason ? { reviewReason: conversion.reviewReason } : {}),
    ...(run ? { executionArn: run.executionArn } : {}),
  });
  report.alerted.push({ conversionId: conversion.conversionId, finding });
}

function alertedRecently(
  trail: readonly AuditEvent[],
  finding: Finding,
  now: Date,
  withinMs: number,
): boolean {
  const type = findingAuditType(finding);
  return trail.some((event) => event.type === type && now.getTime() - Date.parse(event.at) < withinMs);
}
