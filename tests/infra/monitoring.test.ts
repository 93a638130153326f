import { readFileSync } from "node:fs";
import { Match } from "aws-cdk-lib/assertions";
import { describe, expect, it } from "vitest";
import cdkJson from "../../cdk.json" with { type: "json" };
import { stateMachines as catalogStateMachines } from "../../infra/catalog";
import { schedules } from "../../infra/features/operations";
import { REPOSITORY_ROOT } from "../../infra/stack";
import { parseStageConfig } from "../../infra/stage-config";
import {
  alarmedAlertKinds,
  alertFilterPattern,
  CANCELLATION_RECONCILER_RUNS_METRIC,
  CONVERSION_RECONCILER_RUNS_METRIC,
  COUPON_EXPIRY_RUNS_METRIC,
  countedEventFilterPattern,
  dependencyLatencyFilterPattern,
  WEBHOOK_SIGNATURE_FAILURES_METRIC,
} from "../../shared/operations/log-metrics";
import { buildTestStack, logicalIdOf, type Resources } from "./helpers";

interface AlarmProperties {
  AlarmName: string;
  AlarmActions?: unknown[];
  OKActions?: unknown[];
  Namespace?: string;
  MetricName?: string;
  Dimensions?: Array<{ Name: string; Value: unknown }>;
  Statistic?: string;
  ExtendedStatistic?: string;
  Period?: number;
  Threshold: number;
  ComparisonOperator: string;
  EvaluationPeriods: number;
  DatapointsToAlarm?: number;
  TreatMissingData?: string;
  Metrics?: Array<{ Id: string; Expression?: string; MetricStat?: { Metric: { MetricName: string } } }>;
}

describe("Operations: alarms, their topic and the dashboard", () => {
  // Prepare
  const { stack, template } = buildTestStack();
  const resources = template.toJSON().Resources as Resources;
  const topic = logicalIdOf(stack.monitoring.topic);
  const alarms = Object.values(template.findResources("AWS::CloudWatch::Alarm")).map(
    (alarm) => alarm.Properties as AlarmProperties,
  );
  const alarmNamed = (suffix: string) => {
    const alarm = alarms.find((candidate) => candidate.AlarmName === `Loyalty-test-${suffix}`);
    if (!alarm) throw new Error(`No alarm ${suffix}; have ${alarms.map((a) => a.AlarmName).join(", ")}`);
    return alarm;
  };

  it("sends to an encrypted, SSL-only topic with the stage's ops email subscribed", () => {
    // Assess
    template.hasResourceProperties("AWS::SNS::Topic", {
      KmsMasterKeyId: Match.anyValue(),
    });
    template.hasResourceProperties("AWS::SNS::Subscription", {
      Protocol: "email",
      Endpoint: "ops@example.com",
      TopicArn: { Ref: topic },
    });
    template.hasResourceProperties("AWS::SNS::TopicPolicy", {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Effect: "Deny",
            Condition: { Bool: { "aws:SecureTransport": "false" } },
          }),
          Match.objectLike({
            Effect: "Allow",
            Action: "sns:Publish",
            Principal: { Service: "cloudwatch.amazonaws.com" },
          }),
        ]),
      },
    });
    template.hasResourceProperties("AWS::KMS::Key", { EnableKeyRotation: true });
  });

  const metricFilters = Object.values(template.findResources("AWS::Logs::MetricFilter")).map(
    (filter) => filter.Properties as Record<string, unknown>,
  );
  const filtersOf = (logGroupId: string) =>
    metricFilters.filter(
      (filter) => JSON.stringify(filter.LogGroupName) === JSON.stringify({ Ref: logGroupId }),
    );

  it("notifies the topic from every alarm, and treats no data as all clear but for a heartbeat", () => {
    // Assess
    expect(alarms.length).toBeGreaterThan(0);
    for (const alarm of alarms) {
      expect(alarm.AlarmActions, alarm.AlarmName).toEqual([{ Ref: topic }]);
      if (alarm.AlarmName.endsWith("-not-running")) continue;
      expect(alarm.TreatMissingData, alarm.AlarmName).toBe("notBreaching");
      expect(alarm.ComparisonOperator, alarm.AlarmName).toBe("GreaterThanOrEqualToThreshold");
    }
    expect(
      alarms
        .filter((alarm) => alarm.TreatMissingData === "breaching")
        .map((a) => a.AlarmName)
        .sort(),
    ).toEqual([
      "Loyalty-test-expireCoupons-not-running",
      "Loyalty-test-reconcileCancellations-not-running",
      "Loyalty-test-reconcileConversions-not-running",
    ]);
  });

  it("explains every alarm in the runbook", () => {
    // Prepare
    const doc = readFileSync(`${REPOSITORY_ROOT}/docs/runbook.md`, "utf8");
    const runbook = doc.slice(doc.indexOf("## Alarms"), doc.indexOf("## The scheduled jobs"));

    // Assess
    expect(runbook.length).toBeGreaterThan(0);
    for (const alarm of alarms) {
      const name = alarm.AlarmName.replace("Loyalty-test-", "");
      expect(runbook, name).toContain(`\`${name}\``);
    }
  });

  it.each(Object.keys(catalogStateMachines))("alarms on any failed or timed-out execution of %s", (name) => {
    // Prepare
    const machine = stack.stateMachines[name]?.machine;
    if (!machine) throw new Error(`No state machine ${name}`);

    // Assess
    for (const [suffix, metric] of [
      ["executions-failed", "ExecutionsFailed"],
      ["executions-timed-out", "ExecutionsTimedOut"],
    ] as const) {
      expect(alarmNamed(`${name}-${suffix}`)).toMatchObject({
        Namespace: "AWS/States",
        MetricName: metric,
        Dimensions: [{ Name: "StateMachineArn", Value: { Ref: logicalIdOf(machine) } }],
        Statistic: "Sum",
        Threshold: 1,
        EvaluationPeriods: 1,
      });
    }
  });

  it.each(alarmedAlertKinds)("alarms on any %s alert, counted from the alert log lines", (kind) => {
    // Assess
    expect(alarmNamed(`alert-${kind.replaceAll("_", "-")}`)).toMatchObject({
      Namespace: "Loyalty/Operations",
      MetricName: "Alerts",
      Dimensions: [{ Name: "kind", Value: kind }],
      Statistic: "Sum",
      Threshold: 1,
      EvaluationPeriods: 1,
    });
  });

  it("counts alert lines in every function's log group and latency in those that call POS or Shopify", () => {
    // Prepare
    const filters = Object.values(template.findResources("AWS::Logs::MetricFilter")).map(
      (filter) => filter.Properties as Record<string, unknown>,
    );
    const filtersOf = (logGroupId: string) =>
      filters.filter((filter) => JSON.stringify(filter.LogGroupName) === JSON.stringify({ Ref: logGroupId }));

    // Assess
    for (const [name, fn] of Object.entries(stack.functions)) {
      const own = filtersOf(logicalIdOf(fn.logGroup));
      expect(own, name).toContainEqual(
        expect.objectContaining({
          FilterPattern: alertFilterPattern(),
          MetricTransformations: [
            expect.objectContaining({
              MetricNamespace: "Loyalty/Operations",
              MetricName: "Alerts",
              MetricValue: "1",
              Dimensions: [{ Key: "kind", Value: "$.alert" }],
            }),
          ],
        }),
      );
      const callsDependencies = fn.spec.capabilities.some((c) => c === "pos" || c === "shopify");
      const latency = own.filter((filter) => filter.FilterPattern === dependencyLatencyFilterPattern());
      expect(latency, name).toHaveLength(callsDependencies ? 1 : 0);
      if (callsDependencies) {
        expect(latency[0]?.MetricTransformations).toEqual([
          expect.objectContaining({
            MetricName: "DependencyLatency",
            MetricValue: "$.DependencyLatency",
            Dimensions: [{ Key: "dependency", Value: "$.dependency" }],
          }),
        ]);
      }
    }
  });

  it("also counts 5xx answers, which the rate ignores below 10 requests in 5 minutes", () => {
    // Act
    const alarm = alarmNamed("api-5xx-count");

    // Assess
    expect(alarm).toMatchObject({
      Namespace: "AWS/ApiGateway",
      MetricName: "5xx",
      Dimensions: [{ Name: "ApiId", Value: { Ref: logicalIdOf(stack.api) } }],
      Statistic: "Sum",
      Period: 300,
      Threshold: 3,
      EvaluationPeriods: 1,
    });
    expect(alarm.OKActions).toEqual([{ Ref: topic }]);
  });

  it("alarms on the API's 5xx rate with enough requests to mean something", () => {
    // Act
    const alarm = alarmNamed("api-5xx-rate");

    // Assess
    expect(alarm).toMatchObject({ Threshold: 5, EvaluationPeriods: 3, DatapointsToAlarm: 2 });
    expect(alarm.OKActions).toEqual([{ Ref: topic }]);
    const expression = alarm.Metrics?.find((metric) => metric.Expression)?.Expression;
    expect(expression).toBe("IF(requests >= 10, 100 * FILL(errors, 0) / requests, 0)");
    const metrics = Object.fromEntries(
      (alarm.Metrics ?? []).flatMap((metric) =>
        metric.MetricStat ? [[metric.Id, metric.MetricStat.Metric.MetricName]] : [],
      ),
    );
    expect(metrics).toEqual({ requests: "Count", errors: "5xx" });
    expect(JSON.stringify(alarm.Metrics)).toContain(`"Ref":"${logicalIdOf(stack.api)}"`);
  });

  it.each([
    ["pos", 2000],
    ["shopify", 3000],
  ] as const)("alarms on %s latency p95 at or above %i ms for 15 minutes", (dependency, threshold) => {
    // Assess
    expect(alarmNamed(`${dependency}-latency-p95`)).toMatchObject({
      Namespace: "Loyalty/Operations",
      MetricName: "DependencyLatency",
      Dimensions: [{ Name: "dependency", Value: dependency }],
      ExtendedStatistic: "p95",
      Threshold: threshold,
      EvaluationPeriods: 3,
      DatapointsToAlarm: 3,
    });
  });

  it("takes alarm thresholds and address from the stage", () => {
    // Prepare
    const demo = cdkJson.context.stages.demo;
    const stage = parseStageConfig("demo", {
      ...demo,
      alarms: { email: "oncall@example.com", posLatencyP95Ms: 1500, api5xxRatePercent: 2 },
    });

    // Act
    const { template: custom } = buildTestStack({ stage });

    // Assess
    custom.hasResourceProperties("AWS::SNS::Subscription", { Endpoint: "oncall@example.com" });
    custom.hasResourceProperties("AWS::CloudWatch::Alarm", {
      AlarmName: "Loyalty-test-pos-latency-p95",
      Threshold: 1500,
    });
    custom.hasResourceProperties("AWS::CloudWatch::Alarm", {
      AlarmName: "Loyalty-test-shopify-latency-p95",
      Threshold: 3000,
    });
    custom.hasResourceProperties("AWS::CloudWatch::Alarm", {
      AlarmName: "Loyalty-test-api-5xx-rate",
      Threshold: 2,
    });
  });

  const scheduled = [
    ["reconcileConversions", CONVERSION_RECONCILER_RUNS_METRIC],
    ["reconcileCancellations", CANCELLATION_RECONCILER_RUNS_METRIC],
    ["expireCoupons", COUPON_EXPIRY_RUNS_METRIC],
  ] as const;

  it("schedules each job on its own, with a heartbeat of its own", () => {
    expect(Object.keys(schedules).sort()).toEqual(scheduled.map(([name]) => name).sort());
    expect(new Set(Object.values(schedules).map((schedule) => schedule.heartbeat)).size).toBe(
      scheduled.length,
    );
  });

  it.each(scheduled)("runs %s on its schedule and alarms when its runs keep failing", (name) => {
    // Prepare
    const job = stack.functions[name];

    // Assess
    expect(schedules[name].rateMinutes).toBe(5);
    template.hasResourceProperties("AWS::Events::Rule", {
      ScheduleExpression: "rate(5 minutes)",
      State: "ENABLED",
      Targets: [
        Match.objectLike({
          Arn: { "Fn::GetAtt": [logicalIdOf(job.function), "Arn"] },
          RetryPolicy: { MaximumRetryAttempts: 0, MaximumEventAgeInSeconds: 300 },
        }),
      ],
    });
    template.hasResourceProperties("AWS::Lambda::EventInvokeConfig", {
      FunctionName: { Ref: logicalIdOf(job.function) },
      MaximumRetryAttempts: 0,
    });
    expect(alarmNamed(`${name}-errors`)).toMatchObject({
      Namespace: "AWS/Lambda",
      MetricName: "Errors",
      Dimensions: [{ Name: "FunctionName", Value: { Ref: logicalIdOf(job.function) } }],
      Threshold: 1,
      EvaluationPeriods: 2,
    });
  });

  it.each(scheduled)(
    "alarms when the heartbeat of %s stops, counting no data as not running",
    (name, heartbeat) => {
      // Prepare
      const job = stack.functions[name];
      const alarm = alarmNamed(`${name}-not-running`);

      // Assess: each completed run prints one heartbeat line, counted in the job's log group.
      expect(schedules[name].heartbeat).toBe(heartbeat);
      expect(filtersOf(logicalIdOf(job.logGroup))).toContainEqual(
        expect.objectContaining({
          FilterPattern: countedEventFilterPattern(heartbeat),
          MetricTransformations: [
            { MetricNamespace: "Loyalty/Operations", MetricName: heartbeat, MetricValue: "1" },
          ],
        }),
      );
      // Fewer than one completed run in three of its 5-minute intervals.
      expect(alarm).toMatchObject({
        Namespace: "Loyalty/Operations",
        MetricName: heartbeat,
        Statistic: "Sum",
        Period: 15 * 60,
        Threshold: 1,
        ComparisonOperator: "LessThanThreshold",
        EvaluationPeriods: 1,
        TreatMissingData: "breaching",
      });
      expect(alarm.Dimensions).toBeUndefined();
      expect(alarm.OKActions).toEqual([{ Ref: topic }]);
    },
  );

  it("alarms on any webhook refused for its signature, counted in the webhook function's log group", () => {
    // Prepare
    const pattern = countedEventFilterPattern(WEBHOOK_SIGNATURE_FAILURES_METRIC);

    // Assess
    expect(filtersOf(logicalIdOf(stack.functions.shopifyWebhooks.logGroup))).toContainEqual(
      expect.objectContaining({
        FilterPattern: pattern,
        MetricTransformations: [
          {
            MetricNamespace: "Loyalty/Operations",
            MetricName: WEBHOOK_SIGNATURE_FAILURES_METRIC,
            MetricValue: "1",
          },
        ],
      }),
    );
    expect(metricFilters.filter((filter) => filter.FilterPattern === pattern)).toHaveLength(1);
    expect(alarmNamed("webhook-signature-failures")).toMatchObject({
      Namespace: "Loyalty/Operations",
      MetricName: WEBHOOK_SIGNATURE_FAILURES_METRIC,
      Statistic: "Sum",
      Period: 300,
      Threshold: 1,
    });
  });

  it("alarms on any coupon event batch in the pipe's dead-letter queue", () => {
    // Assess
    expect(alarmNamed("coupon-events-dead-lettered")).toMatchObject({
      Namespace: "AWS/SQS",
      MetricName: "ApproximateNumberOfMessagesVisible",
      Dimensions: [
        {
          Name: "QueueName",
          Value: { "Fn::GetAtt": [logicalIdOf(stack.couponEvents.deadLetters), "QueueName"] },
        },
      ],
      Statistic: "Maximum",
      Threshold: 1,
    });
  });

  it("alarms on any Lambda throttle in the account and region", () => {
    // Assess
    const alarm = alarmNamed("lambda-throttles");
    expect(alarm).toMatchObject({
      Namespace: "AWS/Lambda",
      MetricName: "Throttles",
      Statistic: "Sum",
      Threshold: 1,
    });
    expect(alarm.Dimensions).toBeUndefined();
  });

  it.each([
    ["mail-bounces", "Bounce"],
    ["mail-complaints", "Complaint"],
  ] as const)(
    "alarms (%s) on any %s SES reports for mail sent with the stack's configuration set",
    (name, event) => {
      // Prepare
      const configurationSet = logicalIdOf(stack.mailEvents.configurationSet);

      // Assess
      expect(alarmNamed(name)).toMatchObject({
        Namespace: "AWS/SES",
        MetricName: event,
        Dimensions: [{ Name: "ses:configuration-set", Value: { Ref: configurationSet } }],
        Statistic: "Sum",
        Threshold: 1,
      });
      template.hasResourceProperties("AWS::SES::ConfigurationSetEventDestination", {
        ConfigurationSetName: { Ref: configurationSet },
        EventDestination: {
          Enabled: true,
          MatchingEventTypes: Match.arrayWith([event.toLowerCase()]),
          CloudWatchDestination: {
            DimensionConfigurations: [
              {
                DimensionName: "ses:configuration-set",
                DimensionValueSource: "messageTag",
                DefaultDimensionValue: "Loyalty-test-mail",
              },
            ],
          },
        },
      });
    },
  );

  it("shows the same figures on the dashboard", () => {
    // Prepare
    const [dashboard] = Object.values(resources).filter((r) => r.Type === "AWS::CloudWatch::Dashboard");
    const body = JSON.stringify(dashboard?.Properties?.DashboardBody);

    // Assess
    for (const figure of [
      "ExecutionsFailed",
      "ExecutionsTimedOut",
      "Alerts",
      "5xx",
      "Count",
      "DependencyLatency",
      "p95",
      CONVERSION_RECONCILER_RUNS_METRIC,
      CANCELLATION_RECONCILER_RUNS_METRIC,
      COUPON_EXPIRY_RUNS_METRIC,
      WEBHOOK_SIGNATURE_FAILURES_METRIC,
      "ApproximateNumberOfMessagesVisible",
      "Throttles",
      "Bounce",
      "Complaint",
      ...alarmedAlertKinds,
    ]) {
      expect(body, figure).toContain(figure);
    }
    expect(body).toContain("IF(requests >= 10");
    for (const alarm of stack.monitoring.alarms) expect(body).toContain(`"${logicalIdOf(alarm)}","Arn"`);
  });
});
