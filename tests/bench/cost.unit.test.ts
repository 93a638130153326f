import { describe, expect, it } from "vitest";
import { combineUsage, costFor, lambdaUsage, type ScenarioUsage, stateTransitions } from "../../bench/cost";
import { prices } from "../../bench/prices";

/** The bench's cost model: billed duration, state transitions and prices per operation. */

const usage = (overrides: Partial<ScenarioUsage> = {}): ScenarioUsage => ({
  operations: 2,
  apiRequests: 2,
  lambda: { points: { memoryMb: 256, invocations: 2, billedMs: 500, gbSeconds: 0.125 } },
  stepFunctions: { executions: 0, transitions: 0, byStateMachine: {} },
  dynamodb: {
    readRequestUnits: 1,
    writeRequestUnits: 4,
    operations: {},
    transactWrites: { requests: 0, items: 0, reportedByLocal: 0, counted: 0, notRepriced: 0 },
  },
  ses: { messages: 0 },
  dependencyCalls: {},
  cpu: { measuredProcessMs: 10 },
  ...overrides,
});

describe("bench cost model", () => {
  it("bills each invocation rounded up to the millisecond at the catalog's memory", () => {
    // Act
    const result = lambdaUsage([
      { function: "points", trigger: "api", startedAt: 0, durationMs: 250.2, ok: true },
      { function: "points", trigger: "api", startedAt: 0, durationMs: 249.9, ok: false },
      { function: "adminLookup", trigger: "api", startedAt: 0, durationMs: 99.5, ok: true },
    ]);

    // Assess: 251 + 250 ms at 1,024 MB (a shopper waits on it); 100 ms at 256 MB (the CDK default:
    // the catalog names no memory for it).
    expect(result.points).toEqual({ memoryMb: 1024, invocations: 2, billedMs: 501, gbSeconds: 0.501 });
    expect(result.adminLookup).toEqual({ memoryMb: 256, invocations: 1, billedMs: 100, gbSeconds: 0.1 / 4 });
  });

  it("counts a transition per state entered and per task retry", () => {
    // Prepare: a task tried twice, then a Choice and a Succeed.
    const events = [
      "ExecutionStarted",
      "TaskStateEntered",
      "LambdaFunctionScheduled",
      "LambdaFunctionStarted",
      "LambdaFunctionFailed",
      "LambdaFunctionScheduled",
      "LambdaFunctionStarted",
      "LambdaFunctionSucceeded",
      "TaskStateExited",
      "ChoiceStateEntered",
      "ChoiceStateExited",
      "SucceedStateEntered",
      "SucceedStateExited",
      "ExecutionSucceeded",
    ].map((type) => ({ type }) as Parameters<typeof stateTransitions>[0][number]);

    // Act / Assess
    expect(stateTransitions(events)).toBe(4);
  });

  it("prices the counts per `per` operations", () => {
    // Act: 2 operations counted, priced per 1,000.
    const estimate = costFor(
      usage({ stepFunctions: { executions: 2, transitions: 20, byStateMachine: {} } }),
      1_000,
    );

    // Assess
    const line = (item: string) => estimate.lines.find((entry) => entry.item === item);
    expect(line("Step Functions")).toMatchObject({
      quantity: 10_000,
      usd: 10 * prices.stepFunctionsStandardTransitions.usd,
    });
    expect(line("Lambda duration")?.quantity).toBeCloseTo(62.5);
    expect(line("DynamoDB writes")?.quantity).toBe(2_000);
    expect(estimate.totalUsd).toBeCloseTo(estimate.lines.reduce((sum, entry) => sum + entry.usd, 0));
  });

  it("adds two runs of the same operation", () => {
    // Act
    const combined = combineUsage(usage(), usage({ operations: 3, apiRequests: 3 }));

    // Assess
    expect(combined.operations).toBe(5);
    expect(combined.apiRequests).toBe(5);
    expect(combined.lambda.points?.invocations).toBe(4);
    expect(combined.dynamodb.writeRequestUnits).toBe(8);
  });
});
