import type { AlertKind } from "../ports";

/**
 * Metrics the alarms and the dashboard read, derived from the functions' structured log lines by
 * CloudWatch Logs metric filters rather than from the metrics the code emits:
 *
 * - Alerts: `logAlert` writes a log line with an `alert` key in every case, while its `Alert_<kind>`
 *   metric is only flushed by handlers that publish stored metrics (the API wrapper does, saga
 *   tasks do not). The log line is the one signal every alert leaves.
 * - Dependency latency: the emitted `DependencyLatency` metric carries the dimensions
 *   service, dependency and operation, so "POS p95 across operations" is not one metric an alarm
 *   can address. Its EMF log line holds `dependency` and `DependencyLatency` as top-level fields,
 *   which a filter turns into one metric per dependency.
 * - Counted events (`countEvent`): a refused webhook signature, a completed reconciler run. Each
 *   prints an EMF line of its own, whatever the log level, with the metric as a top-level field;
 *   a filter on the one function's log group counts them without the service dimension.
 *
 * The patterns and the predicates below are built from the same constants, and tests run the
 * predicates over log lines the real logger and metrics emitter print.
 */

export const OPERATIONS_NAMESPACE = "Loyalty/Operations";

/** Count of alert log lines, dimension `kind` (the alert kind). */
export const ALERTS_METRIC = "Alerts";
/** Milliseconds per POS or Shopify call, dimension `dependency` (`pos` | `shopify`). */
export const DEPENDENCY_LATENCY_METRIC = "DependencyLatency";

/** Alert kinds that page operators through an alarm. */
export const alarmedAlertKinds = [
  "needs_review",
  "compensation_failed",
  "coupon_record_not_saved",
  "email_not_sent",
] as const satisfies readonly AlertKind[];

/**
 * Shopify webhook deliveries refused for a missing or wrong HMAC signature. Shopify always signs
 * correctly: these are forgeries, or a rotated or unset app secret that stops coupons being marked
 * used.
 */
export const WEBHOOK_SIGNATURE_FAILURES_METRIC = "WebhookSignatureFailures";
/**
 * Completed runs of each scheduled job, its heartbeat (one metric each, so that one job's runs do not
 * hide another's absence). No data means the schedule is not running it.
 */
export const CONVERSION_RECONCILER_RUNS_METRIC = "ConversionReconcilerRuns";
export const CANCELLATION_RECONCILER_RUNS_METRIC = "CancellationReconcilerRuns";
export const COUPON_EXPIRY_RUNS_METRIC = "CouponExpiryRuns";
export type CountedEvent =
  | typeof WEBHOOK_SIGNATURE_FAILURES_METRIC
  | typeof CONVERSION_RECONCILER_RUNS_METRIC
  | typeof CANCELLATION_RECONCILER_RUNS_METRIC
  | typeof COUPON_EXPIRY_RUNS_METRIC;

export const monitoredDependencies = ["pos", "shopify"] as const;
export type MonitoredDependency = (typeof monitoredDependencies)[number];

/**
 * The second line EmailAdminAlerts writes when the alert email fails; it repeats the `alert` key
 * and must not count as a second alert.
 */
export const ALERT_EMAIL_FAILURE_MESSAGE = "admin alert email not sent";

const anyOf = (field: string, values: readonly string[]) =>
  `(${values.map((value) => `$.${field} = "${value}"`).join(" || ")})`;

/** CloudWatch Logs JSON filter pattern of alert lines of the given kinds. */
export function alertFilterPattern(kinds: readonly string[] = alarmedAlertKinds): string {
  return `{ ${anyOf("alert", kinds)} && $.message != "${ALERT_EMAIL_FAILURE_MESSAGE}" }`;
}

/** CloudWatch Logs JSON filter pattern of dependency latency lines (EMF). */
export function dependencyLatencyFilterPattern(): string {
  return `{ ${anyOf("dependency", monitoredDependencies)} && $.${DEPENDENCY_LATENCY_METRIC} >= 0 }`;
}

/** CloudWatch Logs JSON filter pattern of the EMF lines `countEvent` prints for `metric`. */
export function countedEventFilterPattern(metric: CountedEvent): string {
  return `{ $.${metric} >= 1 }`;
}

/** What `countedEventFilterPattern(metric)` matches: the count on the line, or none. */
export function eventCounted(line: Record<string, unknown>, metric: CountedEvent): number | undefined {
  const value = line[metric];
  return typeof value === "number" && value >= 1 ? value : undefined;
}

/** What `alertFilterPattern` matches, for tests over real log lines: the counted kind, or none. */
export function alertCounted(
  line: Record<string, unknown>,
  kinds: readonly string[] = alarmedAlertKinds,
): string | undefined {
  const kind = line.alert;
  if (typeof kind !== "string" || !kinds.includes(kind)) return undefined;
  return line.message === ALERT_EMAIL_FAILURE_MESSAGE ? undefined : kind;
}

/** What `dependencyLatencyFilterPattern` matches: the dependency and the value, or none. */
export function latencyCounted(
  line: Record<string, unknown>,
): { dependency: MonitoredDependency; milliseconds: number } | undefined {
  const dependency = monitoredDependencies.find((name) => name === line.dependency);
  const value = line[DEPENDENCY_LATENCY_METRIC];
  if (!dependency || typeof value !== "number" || value < 0) return undefined;
  return { dependency, milliseconds: value };
}
