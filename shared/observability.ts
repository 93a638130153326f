import { Logger } from "@aws-lambda-powertools/logger";
import { Metrics, MetricUnit } from "@aws-lambda-powertools/metrics";
import type { CountedEvent } from "./operations/log-metrics";

/**
 * One logger and one metrics emitter per Lambda container. Log lines never carry tokens, emails
 * or request headers: handlers log ids (customer id, conversion id, code) and outcomes only.
 */
export const logger = new Logger({ serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? "loyalty" });

export const metrics = new Metrics({
  namespace: process.env.POWERTOOLS_METRICS_NAMESPACE ?? "Loyalty",
  serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? "loyalty",
});

export { MetricUnit };

/**
 * The emitter of the one-metric EMF lines below, made on first use and then reused. Powertools'
 * `singleMetric()` builds a whole emitter per call (environment parsing, a `Console` of its own):
 * ~0.1 ms of CPU per dependency call, three per balance read. A single-metric emitter prints each
 * metric as it is added and then clears the dimensions added before it, so one emitter prints the
 * same lines; its dimensions are cleared before each line all the same, in case a line failed.
 * What a new emitter would read from the environment when it prints (whether metrics are
 * disabled, and the dev mode that picks the console) is compared on every line, and the emitter
 * made anew when it changed, as a fresh one per call would have seen it.
 */
let singleMetricEmitter: { metrics: Metrics; environment: string } | undefined;

/** Prints one EMF line holding one metric with these dimensions (besides the service's). */
function emitSingleMetric(
  dimensions: Readonly<Record<string, string>>,
  name: string,
  unit: (typeof MetricUnit)[keyof typeof MetricUnit],
  value: number,
): void {
  const environment = `${process.env.POWERTOOLS_METRICS_DISABLED}|${process.env.POWERTOOLS_DEV}`;
  if (singleMetricEmitter?.environment !== environment) {
    singleMetricEmitter = { metrics: metrics.singleMetric(), environment };
  }
  const emitter = singleMetricEmitter.metrics;
  emitter.clearDimensions();
  for (const [dimension, dimensionValue] of Object.entries(dimensions)) {
    emitter.addDimension(dimension, dimensionValue);
  }
  emitter.addMetric(name, unit, value);
}

/** Records one call to an external system: latency and, on failure, the error kind. */
export function recordDependencyCall(
  dependency: "pos" | "shopify",
  operation: string,
  startedAt: number,
  error?: unknown,
): void {
  emitSingleMetric(
    { dependency, operation },
    "DependencyLatency",
    MetricUnit.Milliseconds,
    Date.now() - startedAt,
  );
  if (error !== undefined) {
    emitSingleMetric(
      { dependency, errorKind: error instanceof Error ? error.name : "Unknown" },
      "DependencyErrors",
      MetricUnit.Count,
      1,
    );
  }
}

/**
 * Counts one operational event (shared/operations/log-metrics.ts) as an EMF line of its own: the
 * metrics emitter prints it whatever the log level, and a metric filter counts it for an alarm.
 */
export function countEvent(metric: CountedEvent): void {
  emitSingleMetric({}, metric, MetricUnit.Count, 1);
}

/**
 * An alert for operators: a structured log line that CloudWatch metric filters and alarms match
 * (`alert` key), plus a metric. Emails to the admin address are sent by the alerting port.
 */
export function logAlert(kind: string, message: string, details: Record<string, unknown> = {}): void {
  logger.error(message, { alert: kind, ...details });
  metrics.addMetric(`Alert_${kind}`, MetricUnit.Count, 1);
}

/**
 * Wraps an adapter so each of its async methods records latency and error kind for the
 * dependency (the POS and Shopify latency alarms and dashboard read these).
 */
export function measured<T extends object>(dependency: "pos" | "shopify", adapter: T): T {
  return new Proxy(adapter, {
    get(target, property, receiver) {
      const member: unknown = Reflect.get(target, property, receiver);
      if (typeof member !== "function") return member;
      return async (...args: unknown[]) => {
        const started = Date.now();
        try {
          const result: unknown = await member.apply(target, args);
          recordDependencyCall(dependency, String(property), started);
          return result;
        } catch (error) {
          recordDependencyCall(dependency, String(property), started, error);
          throw error;
        }
      };
    },
  });
}
