import { Match } from "aws-cdk-lib/assertions";
import { describe, expect, it } from "vitest";
import cdkJson from "../../cdk.json" with { type: "json" };
import { stateMachines as catalogStateMachines } from "../../infra/catalog";
import { schedules } from "../../infra/features/operations";
import { parseStageConfig } from "../../infra/stage-config";
import {
  alarmedAlertKinds,
  alertFilterPattern,
  dependencyLatencyFilterPattern,
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

  it("notifies the topic from every alarm, and treats no data as all clear", () => {
    // Assess
    expect(alarms.length).toBeGreaterThan(0);
    for (const alarm of alarms) {
      expect(alarm.AlarmActions, alarm.AlarmName).toEqual([{ Ref: topic }]);
      expect(alarm.TreatMissingData).toBe("notBreaching");
      expect(alarm.ComparisonOperator).toBe("GreaterThanOrEqualToThreshold");
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

  it("runs the reconciler on its schedule and alarms when its runs keep failing", () => {
    // Prepare
    const reconciler = stack.functions.reconcileStuck;

    // Assess
    expect(schedules.reconcileStuck.rateMinutes).toBe(5);
    template.hasResourceProperties("AWS::Events::Rule", {
      ScheduleExpression: "rate(5 minutes)",
      State: "ENABLED",
      Targets: [
        Match.objectLike({
          Arn: { "Fn::GetAtt": [logicalIdOf(reconciler.function), "Arn"] },
          RetryPolicy: { MaximumRetryAttempts: 0, MaximumEventAgeInSeconds: 300 },
        }),
      ],
    });
    template.hasResourceProperties("AWS::Lambda::EventInvokeConfig", {
      FunctionName: { Ref: logicalIdOf(reconciler.function) },
      MaximumRetryAttempts: 0,
    });
    expect(alarmNamed("reconcileStuck-errors")).toMatchObject({
      Namespace: "AWS/Lambda",
      MetricName: "Errors",
      Dimensions: [{ Name: "FunctionName", Value: { Ref: logicalIdOf(reconciler.function) } }],
      Threshold: 1,
      EvaluationPeriods: 2,
    });
  });

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
      ...alarmedAlertKinds,
    ]) {
      expect(body, figure).toContain(figure);
    }
    expect(body).toContain("IF(requests >= 10");
    for (const alarm of stack.monitoring.alarms) expect(body).toContain(`"${logicalIdOf(alarm)}","Arn"`);
  });
});
