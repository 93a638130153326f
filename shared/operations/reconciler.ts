import type { CancellationRecord, CancellationStatus } from "../cancellation/records";
import { orderOf as cancellationOrderOf } from "../cancellation/saga";
import { orderOf } from "../conversion/request";
import type { AdminAlerts } from "../ports";
import type {
  AuditEvent,
  AuditSubject,
  AuditTrail,
  ConversionRecord,
  ConversionStatus,
  Page,
  PageRequest,
} from "../store";
import { type Healing, isDue } from "./parked";
import type { CancellationReconcilerDependencies, ReconcilerDependencies, SagaRun, SagaRuns } from "./ports";

/**
 * The scheduled reconciler: revisits conversions and cancellations that stay outside a terminal
 * state. Both sagas are started by the API after an atomic claim (`reserved` conversion,
 * `running` cancellation holding its coupon `cancelling`), so both can be abandoned the same way.
 *
 * - `reserved` for longer than `startAfterMs`: the API reserved the conversion but may have
 *   crashed before starting its saga. Starting it under the conversion id is idempotent, so the
 *   reconciler simply starts it; the answer also tells whether a run already existed.
 *   - no run existed: it now runs (audited);
 *   - a run has been going for longer than `runningAlertAfterMs`: admins are alerted;
 *   - a run ended but left the conversion `reserved`: admins are alerted. The reconciler never
 *     decides the outcome itself: points may or may not have been taken.
 * - `needs_review`: parked work heals itself (`parked.ts`). On a backoff schedule the reconciler
 *   re-reads the POS and settles the record through the staff resolution when the evidence is
 *   clear, and keeps deactivating a parked conversion's code that parking left usable, alerting
 *   while it stays usable. For longer than `reviewReminderAfterMs`: a reminder to the admins.
 *
 * Cancellations the same, with `running` for `reserved`: a cancellation the API recorded but never
 * started keeps its coupon `cancelling`, which no other cancellation can take.
 *
 * Each alert is recorded in the subject's audit trail and repeated at most once per
 * `realertAfterMs`, so a schedule every few minutes does not flood the admins.
 */

export interface ReconcilerThresholds {
  startAfterMs: number;
  runningAlertAfterMs: number;
  reviewReminderAfterMs: number;
  realertAfterMs: number;
  /** Conversions looked at per status and run; the next run continues with what is left. */
  maxPerStatus: number;
  /** How often the schedule runs; parked records are re-checked on multiples of it (`isDue`). */
  rateMs: number;
}

/** The reconcilers' schedule, and the coupon expiry sweep's (the stack's EventBridge rules read it). */
export const RECONCILE_RATE_MINUTES = 5;

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
  rateMs: RECONCILE_RATE_MINUTES * MINUTE,
};

/**
 * Who the reconcilers are in audit trails: the name of the one function that once ran both, kept so
 * that trails read the same.
 */
export const RECONCILER_ACTOR = { kind: "system", id: "operations/reconcile-stuck" } as const;

export type Finding =
  | "saga_running_too_long"
  | "saga_ended_without_outcome"
  | "review_pending"
  | "parked_code_usable";

export const findingAuditType = (finding: Finding) => `operations.${finding}`;
export const SAGA_STARTED_AUDIT_TYPE = "operations.saga_started";

interface Report<Id extends string> {
  examined: number;
  /** Sagas the reconciler started because none had run. */
  started: string[];
  /** Alerts raised now, by finding. */
  alerted: Array<Record<Id, string> & { finding: Finding }>;
  /** Findings already alerted within `realertAfterMs`. */
  alreadyAlerted: Array<Record<Id, string> & { finding: Finding }>;
  /** Parked records the evidence settled, with the status they ended in. */
  settled: Array<Record<Id, string> & { status: string }>;
  /** Parked conversions whose usable code the run deactivated. */
  deactivated: string[];
  /** Records the run could not handle; the next run tries again. */
  failures: Array<Record<Id, string> & { error: string }>;
}

export type ReconcileReport = Report<"conversionId">;
export type CancellationReconcileReport = Report<"cancellationId">;

/**
 * What the reconciler needs to know of one kind of saga-driven record: how to list and re-read
 * it, which saga runs it and with what input, where its trail is, and how to word its alerts.
 */
interface SagaSubjects<Id extends string, R extends { createdAt: string; updatedAt: string }, Status, Order> {
  idKey: Id;
  idOf(record: R): string;
  /** The status the API's claim leaves until the saga decides, and the one an operator resolves. */
  pending: Status;
  review: Status;
  statusOf(record: R): Status;
  list(status: Status, page: PageRequest): Promise<Page<R>>;
  get(id: string): Promise<R | undefined>;
  sagas: SagaRuns<Order>;
  orderOf(record: R): Order;
  subjectOf(record: R): AuditSubject;
  relatedSubjectsOf(record: R): AuditSubject[];
  summaries: Readonly<Record<Finding, (record: R) => string>>;
  details(record: R): Record<string, unknown>;
  /** Re-reads the POS for a parked record and settles it, or keeps its code unusable. */
  heal(record: R): Promise<Healing>;
  audit: Pick<AuditTrail, "appendAuditEvent" | "listAuditEvents">;
  alerts: AdminAlerts;
  now: () => Date;
}

export function reconcileStuckConversions(
  deps: ReconcilerDependencies,
  overrides: Partial<ReconcilerThresholds> = {},
): Promise<ReconcileReport> {
  return reconcile<"conversionId", ConversionRecord, ConversionStatus, ReturnType<typeof orderOf>>(
    {
      idKey: "conversionId",
      idOf: (c) => c.conversionId,
      pending: "reserved",
      review: "needs_review",
      statusOf: (c) => c.status,
      list: (status, page) => deps.conversions.listConversionsByStatus(status, page),
      get: (id) => deps.conversions.getConversion(id),
      sagas: deps.sagas,
      // The API's own input (reward snapshot included): Step Functions recognises a running
      // execution only when name and input are identical, and a started saga needs all of it.
      orderOf,
      subjectOf: (c) => ({ type: "conversion", id: c.conversionId }),
      relatedSubjectsOf: () => [],
      summaries: conversionSummaries,
      details: (c) => ({
        conversionId: c.conversionId,
        customerId: c.customerId,
        code: c.code,
        points: c.points,
        ...(c.reviewReason ? { reviewReason: c.reviewReason } : {}),
      }),
      heal: deps.healParked,
      audit: deps.audit,
      alerts: deps.alerts,
      now: deps.now,
    },
    { ...defaultThresholds, ...overrides },
  );
}

export function reconcileStuckCancellations(
  deps: CancellationReconcilerDependencies,
  overrides: Partial<ReconcilerThresholds> = {},
): Promise<CancellationReconcileReport> {
  return reconcile<
    "cancellationId",
    CancellationRecord,
    CancellationStatus,
    ReturnType<typeof cancellationOrderOf>
  >(
    {
      idKey: "cancellationId",
      idOf: (c) => c.cancellationId,
      pending: "running",
      review: "needs_review",
      statusOf: (c) => c.status,
      list: (status, page) => deps.cancellations.listCancellationsByStatus(status, page),
      get: (id) => deps.cancellations.getCancellation(id),
      sagas: deps.sagas,
      orderOf: cancellationOrderOf,
      // The cancellation's own steps are recorded on the coupon, so its alerts are too.
      subjectOf: (c) => ({ type: "coupon", id: c.code }),
      relatedSubjectsOf: (c) => [{ type: "conversion", id: c.conversionId }],
      summaries: cancellationSummaries,
      details: (c) => ({
        cancellationId: c.cancellationId,
        code: c.code,
        customerId: c.customerId,
        points: c.points,
        cancelledBy: c.cancelledBy,
        ...(c.reviewReason ? { reviewReason: c.reviewReason } : {}),
      }),
      heal: deps.healParked,
      audit: deps.audit,
      alerts: deps.alerts,
      now: deps.now,
    },
    { ...defaultThresholds, ...overrides },
  );
}

async function reconcile<
  Id extends string,
  R extends { createdAt: string; updatedAt: string },
  Status,
  Order,
>(kind: SagaSubjects<Id, R, Status, Order>, thresholds: ReconcilerThresholds): Promise<Report<Id>> {
  const now = kind.now();
  const report: Report<Id> = {
    examined: 0,
    started: [],
    alerted: [],
    alreadyAlerted: [],
    settled: [],
    deactivated: [],
    failures: [],
  };
  const entry = (record: R) => ({ [kind.idKey]: kind.idOf(record) }) as Record<Id, string>;

  const handle = async (record: R, work: () => Promise<void>) => {
    report.examined += 1;
    try {
      await work();
    } catch (error) {
      report.failures.push({
        ...entry(record),
        error: error instanceof Error ? `${error.name}: ${error.message}` : String(error),
      });
    }
  };

  const alertOnce = async (record: R, finding: Finding, run?: SagaRun) => {
    const subject = kind.subjectOf(record);
    // A coupon's trail may hold an earlier cancellation's alerts: only this record's count.
    const trail = (await kind.audit.listAuditEvents(subject)).filter(
      (event) => event.data?.[kind.idKey] === undefined || event.data[kind.idKey] === kind.idOf(record),
    );
    if (alertedRecently(trail, finding, now, thresholds.realertAfterMs)) {
      report.alreadyAlerted.push({ ...entry(record), finding });
      return;
    }
    const summary = kind.summaries[finding](record);
    const details = kind.details(record);
    // Recorded before the alert: a crash in between loses one email rather than sending one every run.
    await kind.audit.appendAuditEvent({
      subject,
      ...related(kind, record),
      type: findingAuditType(finding),
      actor: RECONCILER_ACTOR,
      outcome: "unknown",
      detail: summary,
      data: { status: String(kind.statusOf(record)), ...details, ...(run ? { saga: run.state } : {}) },
      ...(run ? { externalIds: { executionArn: run.executionArn } } : {}),
    });
    // needs_review is the alert kind that asks an operator to look; `finding` says why.
    await kind.alerts.raise("needs_review", summary, {
      ...details,
      finding,
      ...(run ? { executionArn: run.executionArn } : {}),
    });
    report.alerted.push({ ...entry(record), finding });
  };

  const pending = await olderThan(kind, kind.pending, "createdAt", now, thresholds.startAfterMs, thresholds);
  for (const record of pending) {
    await handle(record, async () => {
      const run = await kind.sagas.ensureStarted(kind.orderOf(record));
      const finding = findingFor(run, now, thresholds);
      if (run.state === "started") {
        await kind.audit.appendAuditEvent({
          subject: kind.subjectOf(record),
          ...related(kind, record),
          type: SAGA_STARTED_AUDIT_TYPE,
          actor: RECONCILER_ACTOR,
          outcome: "succeeded",
          detail: `Recorded at ${record.createdAt} with no saga run: started it`,
          externalIds: { executionArn: run.executionArn },
        });
        report.started.push(kind.idOf(record));
      } else if (finding) {
        // The saga may have finished between the listing and the start: only a record still
        // pending is stuck.
        const current = await kind.get(kind.idOf(record));
        if (!current || kind.statusOf(current) !== kind.pending) return;
        await alertOnce(current, finding, run);
      }
    });
  }

  const parked = await olderThan(kind, kind.review, "updatedAt", now, 0, thresholds);
  for (const record of parked) {
    await handle(record, async () => {
      const age = now.getTime() - Date.parse(record.updatedAt);
      if (isDue(age, thresholds.rateMs)) {
        const healing = await kind.heal(record);
        if (healing.kind === "settled") {
          report.settled.push({ ...entry(record), status: healing.status });
          return;
        }
        if (healing.kind === "code_deactivated") report.deactivated.push(kind.idOf(record));
        if (healing.kind === "code_still_live") await alertOnce(record, "parked_code_usable");
      }
      if (age >= thresholds.reviewReminderAfterMs) await alertOnce(record, "review_pending");
    });
  }
  return report;
}

function related<R>(kind: { relatedSubjectsOf(record: R): AuditSubject[] }, record: R) {
  const subjects = kind.relatedSubjectsOf(record);
  return subjects.length > 0 ? { relatedSubjects: subjects } : {};
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

/** Records of a status whose `field` is older than `ageMs`, oldest last (the index is newest first). */
async function olderThan<R extends { createdAt: string; updatedAt: string }, Status>(
  kind: Pick<SagaSubjects<string, R, Status, unknown>, "list">,
  status: Status,
  field: "createdAt" | "updatedAt",
  now: Date,
  ageMs: number,
  thresholds: ReconcilerThresholds,
): Promise<R[]> {
  const found: R[] = [];
  let cursor: string | undefined;
  let listed = 0;
  do {
    const page = await kind.list(status, { limit: 100, ...(cursor ? { cursor } : {}) });
    listed += page.items.length;
    found.push(...page.items.filter((record) => now.getTime() - Date.parse(record[field]) >= ageMs));
    cursor = page.nextCursor;
  } while (cursor && listed < thresholds.maxPerStatus);
  return found;
}

const conversionSummaries: Readonly<Record<Finding, (conversion: ConversionRecord) => string>> = {
  saga_running_too_long: (c) => `Conversion ${c.conversionId} is still running long after its reservation`,
  saga_ended_without_outcome: (c) =>
    `Conversion ${c.conversionId}'s saga ended but left it reserved: points may or may not have been taken`,
  review_pending: (c) => `Conversion ${c.conversionId} has been waiting for review since ${c.updatedAt}`,
  parked_code_usable: (c) =>
    `Conversion ${c.conversionId} is parked for review and its code ${c.code} is still usable in Shopify: deactivating it keeps failing`,
};

const cancellationSummaries: Readonly<Record<Finding, (cancellation: CancellationRecord) => string>> = {
  saga_running_too_long: (c) =>
    `The cancellation of coupon ${c.code} is still running long after ${c.cancelledBy} asked for it`,
  saga_ended_without_outcome: (c) =>
    `The cancellation of coupon ${c.code} ended but left it cancelling: the points may or may not have been refunded`,
  review_pending: (c) =>
    `The cancellation of coupon ${c.code} has been waiting for review since ${c.updatedAt}`,
  // A parked cancellation holds its coupon inactive; only conversions park with a usable code.
  parked_code_usable: (c) => `The cancellation of coupon ${c.code} is parked with its code usable`,
};

function alertedRecently(
  trail: readonly AuditEvent[],
  finding: Finding,
  now: Date,
  withinMs: number,
): boolean {
  const type = findingAuditType(finding);
  return trail.some((event) => event.type === type && now.getTime() - Date.parse(event.at) < withinMs);
}
