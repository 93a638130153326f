import { Duration, Stack } from "aws-cdk-lib";
import type { HttpApi } from "aws-cdk-lib/aws-apigatewayv2";
import {
  Alarm,
  AlarmStatusWidget,
  ComparisonOperator,
  Dashboard,
  GraphWidget,
  type IMetric,
  MathExpression,
  Metric,
  TextWidget,
  TreatMissingData,
} from "aws-cdk-lib/aws-cloudwatch";
import { SnsAction } from "aws-cdk-lib/aws-cloudwatch-actions";
import { Effect, PolicyStatement, ServicePrincipal } from "aws-cdk-lib/aws-iam";
import { Key } from "aws-cdk-lib/aws-kms";
import { FilterPattern, MetricFilter } from "aws-cdk-lib/aws-logs";
import { Topic } from "aws-cdk-lib/aws-sns";
import { EmailSubscription } from "aws-cdk-lib/aws-sns-subscriptions";
import type { IQueue } from "aws-cdk-lib/aws-sqs";
import type { StateMachine } from "aws-cdk-lib/aws-stepfunctions";
import { Construct } from "constructs";
import {
  ALERTS_METRIC,
  alarmedAlertKinds,
  alertFilterPattern,
  type CountedEvent,
  countedEventFilterPattern,
  DEPENDENCY_LATENCY_METRIC,
  dependencyLatencyFilterPattern,
  type MonitoredDependency,
  monitoredDependencies,
  OPERATIONS_NAMESPACE,
  WEBHOOK_SIGNATURE_FAILURES_METRIC,
} from "../../shared/operations/log-metrics";
import type { FunctionSchedule } from "../features/types";
import { alarmEmail, type Stage } from "../stage-config";
import { COUPON_EVENT_RETRY } from "./coupon-events";
import type { LoyaltyFunction } from "./loyalty-function";
import type { MailEvents } from "./mail-events";

export interface LoyaltyMonitoringProps {
  readonly stage: Stage;
  /** Names the dashboard and prefixes alarm names. */
  readonly namePrefix: string;
  /** Every function: their log groups carry the alert and latency lines. */
  readonly functions: Readonly<Record<string, LoyaltyFunction>>;
  readonly stateMachines: Readonly<Record<string, StateMachine>>;
  readonly api: HttpApi;
  /**
   * Functions run on a schedule: an alarm when their runs keep failing, and one when the heartbeat
   * their schedule names stops.
   */
  readonly scheduledFunctions: Readonly<
    Record<string, { readonly fn: LoyaltyFunction; readonly schedule: FunctionSchedule }>
  >;
  /** Functions behind webhook routes: refused signatures are counted and alarmed. */
  readonly webhookFunctions: Readonly<Record<string, LoyaltyFunction>>;
  /** Where the coupon event pipe leaves the batches it gave up on. */
  readonly couponEventDeadLetters: IQueue;
  /** Sends, bounces and complaints of the mail the functions send. */
  readonly mailEvents: MailEvents;
}

const FIVE_MINUTES = Duration.minutes(5);
/** Below this many requests in five minutes a 5xx rate says little (one error in two requests). */
export const API_5XX_MIN_REQUESTS = 10;
/** A scheduled function's heartbeat is looked for over this many of its intervals. */
export const HEARTBEAT_INTERVALS = 3;

/**
 * Alarms, their SNS topic and the operations dashboard. Each alarm's name says what broke, and
 * every alarm notifies the topic, which mails the stage's ops address.
 */
export class LoyaltyMonitoring extends Construct {
  readonly topic: Topic;
  readonly alarms: Alarm[] = [];
  readonly dashboard: Dashboard;

  constructor(scope: Construct, id: string, props: LoyaltyMonitoringProps) {
    super(scope, id);
    const { stage, namePrefix } = props;
    const { alarms: thresholds } = stage.config;

    // CloudWatch can only publish to an encrypted topic whose customer managed key lets it.
    const key = new Key(this, "AlarmTopicKey", {
      description: `Encrypts the ${namePrefix} alarm topic`,
      enableKeyRotation: true,
    });
    key.addToResourcePolicy(
      new PolicyStatement({
        sid: "AllowCloudWatchAlarmsToPublish",
        effect: Effect.ALLOW,
        principals: [new ServicePrincipal("cloudwatch.amazonaws.com")],
        actions: ["kms:Decrypt", "kms:GenerateDataKey*"],
        resources: ["*"],
        conditions: { StringEquals: { "aws:SourceAccount": Stack.of(this).account } },
      }),
    );
    this.topic = new Topic(this, "AlarmTopic", {
      topicName: `${namePrefix}-alarms`,
      displayName: `Loyalty ${stage.name} alarms`,
      masterKey: key,
      enforceSSL: true,
    });
    this.topic.addToResourcePolicy(
      new PolicyStatement({
        sid: "AllowCloudWatchAlarmsOfThisAccount",
        effect: Effect.ALLOW,
        principals: [new ServicePrincipal("cloudwatch.amazonaws.com")],
        actions: ["sns:Publish"],
        resources: [this.topic.topicArn],
        conditions: { StringEquals: { "aws:SourceAccount": Stack.of(this).account } },
      }),
    );
    this.topic.addSubscription(new EmailSubscription(alarmEmail(stage.config)));
    const notify = new SnsAction(this.topic);

    // ---- metrics derived from log lines (see shared/operations/log-metrics.ts) ----
    for (const [name, fn] of Object.entries(props.functions)) {
      new MetricFilter(this, `${name}AlertLines`, {
        logGroup: fn.logGroup,
        filterPattern: FilterPattern.literal(alertFilterPattern()),
        metricNamespace: OPERATIONS_NAMESPACE,
        metricName: ALERTS_METRIC,
        metricValue: "1",
        dimensions: { kind: "$.alert" },
      });
      if (fn.spec.capabilities.some((capability) => capability === "pos" || capability === "shopify")) {
        new MetricFilter(this, `${name}DependencyLatency`, {
          logGroup: fn.logGroup,
          filterPattern: FilterPattern.literal(dependencyLatencyFilterPattern()),
          metricNamespace: OPERATIONS_NAMESPACE,
          metricName: DEPENDENCY_LATENCY_METRIC,
          metricValue: `$.${DEPENDENCY_LATENCY_METRIC}`,
          dimensions: { dependency: "$.dependency" },
        });
      }
    }

    for (const [name, fn] of Object.entries(props.webhookFunctions)) {
      this.countEvents(`${name}SignatureFailures`, fn, WEBHOOK_SIGNATURE_FAILURES_METRIC);
    }
    for (const [name, { fn, schedule }] of Object.entries(props.scheduledFunctions)) {
      if (schedule.heartbeat) this.countEvents(`${name}Heartbeat`, fn, schedule.heartbeat);
    }

    const alarm = (alarmId: string, props: AlarmSpec) => {
      const created = new Alarm(this, alarmId, {
        alarmName: `${namePrefix}-${props.name}`,
        alarmDescription: props.description,
        metric: props.metric,
        threshold: props.threshold,
        comparisonOperator: props.comparison ?? ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        evaluationPeriods: props.evaluationPeriods ?? 1,
        datapointsToAlarm: props.datapointsToAlarm ?? props.evaluationPeriods ?? 1,
        // No executions, alerts or requests is good news; a heartbeat says otherwise.
        treatMissingData: props.treatMissingData ?? TreatMissingData.NOT_BREACHING,
      });
      created.addAlarmAction(notify);
      if (props.notifyRecovery) created.addOkAction(notify);
      this.alarms.push(created);
      return created;
    };

    // ---- state machines ----
    const executionMetrics: IMetric[] = [];
    for (const [name, machine] of Object.entries(props.stateMachines)) {
      const failed = machine.metricFailed({ period: FIVE_MINUTES, statistic: "Sum" });
      const timedOut = machine.metricTimedOut({ period: FIVE_MINUTES, statistic: "Sum" });
      alarm(`${name}ExecutionsFailed`, {
        name: `${name}-executions-failed`,
        // Refusals and compensations end in Succeed states: a FAILED run was parked for review or
        // broke outside the saga's catches.
        description: `An execution of ${name} failed (parked for review, or an error outside the saga's catches): open it in the Step Functions console (execution name = its id) and follow the runbook.`,
        metric: failed,
        threshold: 1,
      });
      alarm(`${name}ExecutionsTimedOut`, {
        name: `${name}-executions-timed-out`,
        description: `An execution of ${name} ran past its one-hour limit (TimeoutSeconds): the record may be left unfinished; the reconciler alerts on it too.`,
        metric: timedOut,
        threshold: 1,
      });
      executionMetrics.push(
        machine.metricStarted({ period: FIVE_MINUTES, statistic: "Sum", label: `${name} started` }),
        machine.metricSucceeded({ period: FIVE_MINUTES, statistic: "Sum", label: `${name} succeeded` }),
        machine.metricFailed({ period: FIVE_MINUTES, statistic: "Sum", label: `${name} failed` }),
        machine.metricTimedOut({ period: FIVE_MINUTES, statistic: "Sum", label: `${name} timed out` }),
      );
    }

    // ---- alerts raised by the code ----
    const alertMetrics = alarmedAlertKinds.map((kind) => alertMetric(kind, kind));
    for (const kind of alarmedAlertKinds) {
      alarm(`Alert${pascal(kind)}`, {
        name: `alert-${kind.replaceAll("_", "-")}`,
        description: alertDescriptions[kind],
        metric: alertMetric(kind),
        threshold: 1,
      });
    }

    // ---- the API ----
    const requests = props.api.metricCount({ period: FIVE_MINUTES, statistic: "Sum", label: "requests" });
    const serverErrors = props.api.metricServerError({
      period: FIVE_MINUTES,
      statistic: "Sum",
      label: "5xx",
    });
    const serverErrorRate = new MathExpression({
      expression: `IF(requests >= ${API_5XX_MIN_REQUESTS}, 100 * FILL(errors, 0) / requests, 0)`,
      usingMetrics: { requests, errors: serverErrors },
      period: FIVE_MINUTES,
      label: "5xx rate (%)",
    });
    alarm("Api5xxRate", {
      name: "api-5xx-rate",
      description: `More than ${thresholds.api5xxRatePercent}% of API requests answered 5xx (at least ${API_5XX_MIN_REQUESTS} requests in 5 minutes) in 2 of 3 periods: see the functions' logs and the POS/Shopify latency.`,
      metric: serverErrorRate,
      threshold: thresholds.api5xxRatePercent,
      evaluationPeriods: 3,
      datapointsToAlarm: 2,
      notifyRecovery: true,
    });
    // The rate is blind below API_5XX_MIN_REQUESTS requests: a small shop's failures are counted.
    alarm("Api5xxCount", {
      name: "api-5xx-count",
      description: `At least ${thresholds.api5xxCount} API requests answered 5xx in 5 minutes, however few the requests: see the functions' logs and the POS/Shopify latency.`,
      metric: props.api.metricServerError({ period: FIVE_MINUTES, statistic: "Sum" }),
      threshold: thresholds.api5xxCount,
      notifyRecovery: true,
    });

    // ---- dependencies ----
    const latencyThresholds: Record<MonitoredDependency, number> = {
      pos: thresholds.posLatencyP95Ms,
      shopify: thresholds.shopifyLatencyP95Ms,
    };
    for (const dependency of monitoredDependencies) {
      alarm(`${pascal(dependency)}LatencyP95`, {
        name: `${dependency}-latency-p95`,
        description: `${dependency === "pos" ? "Smaregi POS" : "Shopify Admin API"} calls are slow: p95 at or above ${latencyThresholds[dependency]} ms for 15 minutes.`,
        metric: latencyMetric(dependency, "p95"),
        threshold: latencyThresholds[dependency],
        evaluationPeriods: 3,
        notifyRecovery: true,
      });
    }

    // ---- scheduled functions (the reconcilers, the coupon expiry sweep) ----
    for (const [name, { fn, schedule }] of Object.entries(props.scheduledFunctions)) {
      alarm(`${pascal(name)}Errors`, {
        name: `${name}-errors`,
        description: `The scheduled ${name} failed in two 5-minute periods running: ${schedule.stopped}.`,
        metric: fn.function.metricErrors({ period: FIVE_MINUTES, statistic: "Sum" }),
        threshold: 1,
        evaluationPeriods: 2,
      });
      if (schedule.heartbeat) {
        const window = schedule.rateMinutes * HEARTBEAT_INTERVALS;
        alarm(`${pascal(name)}NotRunning`, {
          name: `${name}-not-running`,
          description: `No run of the scheduled ${name} completed in ${window} minutes (it runs every ${schedule.rateMinutes}): its schedule is disabled or deleted, it is throttled, or every run dies before the end; ${schedule.stopped}.`,
          metric: countedMetric(schedule.heartbeat, Duration.minutes(window)),
          threshold: 1,
          comparison: ComparisonOperator.LESS_THAN_THRESHOLD,
          // No heartbeat at all is exactly what this alarm is for.
          treatMissingData: TreatMissingData.BREACHING,
          notifyRecovery: true,
        });
      }
    }

    // ---- webhooks ----
    if (Object.keys(props.webhookFunctions).length > 0) {
      alarm("WebhookSignatureFailures", {
        name: "webhook-signature-failures",
        description:
          "A Shopify webhook was refused for a missing or wrong HMAC signature (401 invalid_signature). Shopify signs with the app's client secret: if the shopify-app-secret secret was rotated, unset or mistyped, every order webhook is refused and coupons are not marked used.",
        metric: countedMetric(WEBHOOK_SIGNATURE_FAILURES_METRIC, FIVE_MINUTES),
        threshold: 1,
      });
    }

    // ---- coupon events ----
    alarm("CouponEventsDeadLettered", {
      name: "coupon-events-dead-lettered",
      description: `The coupon event pipe gave up on a batch after ${COUPON_EVENT_RETRY.maximumRetryAttempts} retries or ${COUPON_EVENT_RETRY.maximumRecordAgeInSeconds / 60} minutes: the merchant's integration did not get those loyalty.coupon.* events. Re-publish them from the audit table (runbook), then purge the queue.`,
      metric: props.couponEventDeadLetters.metricApproximateNumberOfMessagesVisible({
        period: FIVE_MINUTES,
        statistic: "Maximum",
      }),
      threshold: 1,
      notifyRecovery: true,
    });

    // ---- Lambda ----
    const throttles = new Metric({
      namespace: "AWS/Lambda",
      metricName: "Throttles",
      statistic: "Sum",
      period: FIVE_MINUTES,
    });
    alarm("LambdaThrottles", {
      name: "lambda-throttles",
      description:
        "Lambda refused invocations in this account and region for lack of concurrency (all functions share the account's quota; new accounts may have a low one): API calls answered 5xx, saga steps retried. Check the quota (aws lambda get-account-settings) and request an increase.",
      metric: throttles,
      threshold: 1,
      notifyRecovery: true,
    });

    // ---- mail ----
    alarm("MailBounces", {
      name: "mail-bounces",
      description:
        "SES reported a bounce: an email (a customer's cancellation notice, or an alert to the admin address) did not arrive. Find the recipient in the SES suppression list or the function logs; tell the customer another way.",
      metric: props.mailEvents.metric("Bounce"),
      threshold: 1,
    });
    alarm("MailComplaints", {
      name: "mail-complaints",
      description:
        "A recipient marked an email from the shop as spam. SES pauses sending for accounts with too many complaints: review what was sent, and to whom.",
      metric: props.mailEvents.metric("Complaint"),
      threshold: 1,
    });

    // ---- the dashboard: the same figures ----
    this.dashboard = new Dashboard(this, "Dashboard", {
      dashboardName: `${namePrefix}-operations`,
      defaultInterval: Duration.hours(24),
    });
    this.dashboard.addWidgets(
      new TextWidget({
        markdown: `# Loyalty ${stage.name}\nAlarms mail ${alarmEmail(stage.config)}. Runbook: docs/runbook.md.`,
        width: 24,
        height: 2,
      }),
    );
    this.dashboard.addWidgets(new AlarmStatusWidget({ title: "Alarms", alarms: this.alarms, width: 24 }));
    this.dashboard.addWidgets(
      new GraphWidget({ title: "Saga executions", left: executionMetrics, width: 12 }),
      new GraphWidget({ title: "Alerts by kind", left: alertMetrics, width: 12 }),
    );
    this.dashboard.addWidgets(
      new GraphWidget({ title: "API requests and 5xx", left: [requests, serverErrors], width: 12 }),
      new GraphWidget({
        title: "API 5xx rate (%)",
        left: [serverErrorRate],
        leftAnnotations: [{ value: thresholds.api5xxRatePercent, label: "alarm" }],
        width: 12,
      }),
    );
    this.dashboard.addWidgets(
      ...monitoredDependencies.map(
        (dependency) =>
          new GraphWidget({
            title: `${dependency === "pos" ? "POS" : "Shopify"} latency (ms)`,
            left: [
              latencyMetric(dependency, "p50", `${dependency} p50`),
              latencyMetric(dependency, "p95", `${dependency} p95`),
            ],
            leftAnnotations: [{ value: latencyThresholds[dependency], label: "p95 alarm" }],
            width: 12,
          }),
      ),
    );
    const scheduled = Object.entries(props.scheduledFunctions);
    if (scheduled.length > 0) {
      this.dashboard.addWidgets(
        new GraphWidget({
          title: "Scheduled runs and errors",
          left: scheduled.flatMap(([name, { fn, schedule }]) => [
            fn.function.metricInvocations({ period: FIVE_MINUTES, statistic: "Sum", label: `${name} runs` }),
            fn.function.metricErrors({ period: FIVE_MINUTES, statistic: "Sum", label: `${name} errors` }),
            ...(schedule.heartbeat
              ? [countedMetric(schedule.heartbeat, FIVE_MINUTES, `${name} completed runs`)]
              : []),
          ]),
          width: 24,
        }),
      );
    }
    this.dashboard.addWidgets(
      new GraphWidget({
        title: "Webhook signature failures, coupon event dead letters, Lambda throttles",
        left: [
          countedMetric(WEBHOOK_SIGNATURE_FAILURES_METRIC, FIVE_MINUTES, "webhook signature failures"),
          props.couponEventDeadLetters.metricApproximateNumberOfMessagesVisible({
            period: FIVE_MINUTES,
            statistic: "Maximum",
            label: "coupon event dead letters",
          }),
          throttles.with({ label: "Lambda throttles (account)" }),
        ],
        width: 12,
      }),
      new GraphWidget({
        title: "Mail",
        left: [
          props.mailEvents.metric("Send", "sent"),
          props.mailEvents.metric("Delivery", "delivered"),
          props.mailEvents.metric("Bounce", "bounced"),
          props.mailEvents.metric("Complaint", "complaints"),
          props.mailEvents.metric("Reject", "rejected"),
        ],
        width: 12,
      }),
    );
  }

  /** Counts `metric`'s EMF lines (shared/operations/log-metrics.ts) in one function's log group. */
  private countEvents(id: string, fn: LoyaltyFunction, metric: CountedEvent): void {
    new MetricFilter(this, id, {
      logGroup: fn.logGroup,
      filterPattern: FilterPattern.literal(countedEventFilterPattern(metric)),
      metricNamespace: OPERATIONS_NAMESPACE,
      metricName: metric,
      metricValue: "1",
    });
  }
}

interface AlarmSpec {
  /** Appended to the stack name. */
  readonly name: string;
  readonly description: string;
  readonly metric: IMetric;
  readonly threshold: number;
  readonly evaluationPeriods?: number;
  readonly datapointsToAlarm?: number;
  /** Also notify when it clears: for conditions (slowness, errors) rather than events. */
  readonly notifyRecovery?: boolean;
  /** Default: at or above the threshold. */
  readonly comparison?: ComparisonOperator;
  /** Default: missing data is all clear. */
  readonly treatMissingData?: TreatMissingData;
}

const alertDescriptions: Readonly<Record<(typeof alarmedAlertKinds)[number], string>> = {
  needs_review:
    "A conversion or cancellation needs an operator (needs_review), or the reconciler found one stuck: see the alert email and the runbook.",
  compensation_failed:
    "A saga could not undo its steps (e.g. a discount code could not be deleted): the record is needs_review; see the alert email.",
  coupon_record_not_saved:
    "A coupon was issued but the customer's coupon record metafield was not updated: re-save it from the audit trail.",
  email_not_sent:
    "A customer email (e.g. a cancellation notice) was not sent after retries: contact the customer.",
};

/** Labels are for graphs; an alarm's metric goes without one (a plain metric alarm). */
function alertMetric(kind: string, label?: string): Metric {
  return new Metric({
    namespace: OPERATIONS_NAMESPACE,
    metricName: ALERTS_METRIC,
    dimensionsMap: { kind },
    statistic: "Sum",
    period: FIVE_MINUTES,
    ...(label ? { label } : {}),
  });
}

/** A counted event (shared/operations/log-metrics.ts): its sum per `period`. */
function countedMetric(metric: CountedEvent, period: Duration, label?: string): Metric {
  return new Metric({
    namespace: OPERATIONS_NAMESPACE,
    metricName: metric,
    statistic: "Sum",
    period,
    ...(label ? { label } : {}),
  });
}

function latencyMetric(dependency: MonitoredDependency, statistic: "p50" | "p95", label?: string): Metric {
  return new Metric({
    namespace: OPERATIONS_NAMESPACE,
    metricName: DEPENDENCY_LATENCY_METRIC,
    dimensionsMap: { dependency },
    statistic,
    period: FIVE_MINUTES,
    ...(label ? { label } : {}),
  });
}

function pascal(name: string): string {
  return name
    .split(/[_-]/)
    .map((part) => part.charAt(0).toUpperCase() + part.slice(1))
    .join("");
}
