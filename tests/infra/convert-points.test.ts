import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import {
  CONVERSION_SAGA,
  functions as catalogFunctions,
  type FunctionName,
  stateMachines,
} from "../../infra/catalog";
import { REPOSITORY_ROOT } from "../../infra/stack";
import {
  type AslDefinition,
  type AslState,
  actionsOf,
  allStatements,
  awsSolutionsFindings,
  buildTestStack,
  functionArnMarker,
  logicalIdOf,
  mentions,
  type Resources,
  readStateMachineDefinition,
  statementsOfRole,
} from "./helpers";

const saga = stateMachines.convertPoints;
const taskFunctions: Readonly<Record<string, FunctionName>> = saga.tasks;

/** The catalog function a `${Placeholder}` names; fails the test on an unknown placeholder. */
function taskFunction(placeholder: string): FunctionName {
  const name = taskFunctions[placeholder];
  if (!name) throw new Error(`The catalog maps no function to \${${placeholder}}`);
  return name;
}

/** Every state by name, Parallel branches included (ASL state names are unique machine-wide). */
function statesOf(definition: AslDefinition): Map<string, AslState> {
  const states = new Map<string, AslState>();
  for (const [name, state] of Object.entries(definition.States)) {
    states.set(name, state);
    for (const branch of state.Branches ?? []) {
      for (const [nested, nestedState] of statesOf(branch)) states.set(nested, nestedState);
    }
  }
  return states;
}

function stateNamed(states: ReadonlyMap<string, AslState>, name: string): AslState {
  const state = states.get(name);
  if (!state) throw new Error(`The conversion saga has no state ${name}`);
  return state;
}

/** The state a Catch sends an error to, by the first catcher that names it (as Step Functions does). */
function catchTarget(state: AslState, error: string): string | undefined {
  return state.Catch?.find((catcher) => catcher.ErrorEquals.includes(error))?.Next;
}

describe("Conversion saga (convert-points) as synthesised from the real catalog", () => {
  // Prepare
  const { stack, template } = buildTestStack();
  const resources = template.toJSON().Resources as Resources;
  const { definition, substitutions, properties } = readStateMachineDefinition(
    stack,
    CONVERSION_SAGA,
    template,
  );
  const states = statesOf(definition);
  const aslFile = readFileSync(path.join(REPOSITORY_ROOT, saga.definitionFile), "utf8");
  const machine = stack.stateMachines[CONVERSION_SAGA];
  if (!machine) throw new Error("The stack did not build the conversion saga");

  it("runs exactly the ASL file, each placeholder replaced by its task function's ARN", () => {
    // Prepare
    const expected: unknown = JSON.parse(
      aslFile.replace(/\$\{([A-Za-z0-9_]+)\}/g, (_match, placeholder: string) =>
        functionArnMarker(taskFunction(placeholder)),
      ),
    );

    // Assess
    expect(definition).toEqual(expected);
    expect(substitutions).toEqual(
      Object.fromEntries(
        Object.entries(taskFunctions).map(([placeholder, fn]) => [placeholder, functionArnMarker(fn)]),
      ),
    );
  });

  it("invokes from every task the catalog function its placeholder names", () => {
    // Prepare
    const raw = statesOf(JSON.parse(aslFile) as AslDefinition);
    const tasks = [...raw].filter(([, state]) => state.Type === "Task");

    // Act
    const invoked = tasks.map(([name, state]) => {
      const placeholder = /^\$\{([A-Za-z0-9_]+)\}$/.exec(state.Resource ?? "")?.[1];
      if (!placeholder) throw new Error(`Task ${name} does not name its function with a placeholder`);
      return { name, expected: functionArnMarker(taskFunction(placeholder)), fn: taskFunction(placeholder) };
    });

    // Assess
    expect(tasks).toHaveLength(12);
    for (const { name, expected } of invoked) {
      expect(stateNamed(states, name).Resource, name).toBe(expected);
    }
    expect(new Set(invoked.map(({ fn }) => fn))).toEqual(new Set(Object.values(taskFunctions)));
  });

  it("never retries the deduction; a decline discards the coupon, an unknown outcome is reconciled", () => {
    // Prepare
    const deduct = stateNamed(states, "DeductPoints");

    // Assess
    expect(deduct.Resource).toBe(functionArnMarker("deductPoints"));
    expect(deduct).not.toHaveProperty("Retry");
    // The deduction's definite refusals; InsufficientPoints is the balance check's, never the POS write's.
    for (const definite of ["PosDeclined", "PosUnavailable"]) {
      expect(catchTarget(deduct, definite), definite).toBe("DiscardCoupon");
    }
    // States.ALL must be the last catcher, or it would swallow the definite declines.
    expect(deduct.Catch?.at(-1)).toMatchObject({ ErrorEquals: ["States.ALL"], Next: "LetDeductionSettle" });
    expect(stateNamed(states, "LetDeductionSettle")).toMatchObject({
      Type: "Wait",
      Next: "ReconcileDeduction",
    });
    expect(stateNamed(states, "ReconcileDeduction").Resource).toBe(functionArnMarker("reconcileDeduction"));
  });

  it("answers the customer from the deduction itself; only a reconciled deduction goes through ConfirmConversion", () => {
    // Prepare
    const outcome = stateNamed(states, "DeductionOutcome");
    const confirm = stateNamed(states, "ConfirmConversion");

    // Assess: DeductPoints completes the conversion, so its success goes on to the coupon record.
    expect(stateNamed(states, "DeductPoints").Next).toBe("SaveCouponRecord");
    expect(outcome.Choices).toContainEqual(
      expect.objectContaining({ StringEquals: "applied", Next: "ConfirmConversion" }),
    );
    expect(confirm.Retry?.some((retrier) => retrier.ErrorEquals.includes("States.ALL"))).toBe(true);
    expect(confirm.Next).toBe("SaveCouponRecord");
  });

  it("starts the coupon's creation, the longer of the two, first, and reads each branch's result by its place", () => {
    // Prepare
    const prepare = stateNamed(states, "PrepareCoupon");

    // Act
    const starts = (prepare.Branches ?? []).map((branch) => branch.StartAt);

    // Assess
    expect(starts).toEqual(["CreateCoupon", "CheckBalance"]);
    expect(prepare.ResultSelector).toEqual({ "coupon.$": "$[0]", "balance.$": "$[1]" });
  });

  it("retries coupon creation up to 3 times on ShopifyUnavailable and never on every error", () => {
    // Prepare
    const create = stateNamed(states, "CreateCoupon");

    // Act
    const shopify = create.Retry?.filter((retrier) => retrier.ErrorEquals.includes("ShopifyUnavailable"));

    // Assess
    expect(shopify).toHaveLength(1);
    expect(shopify?.[0]?.MaxAttempts).toBe(3);
    expect(create.Retry?.some((retrier) => retrier.ErrorEquals.includes("States.ALL"))).toBe(false);
  });

  it("tries the coupon record at most 3 more times, then reports it without failing the conversion", () => {
    // Prepare
    const save = stateNamed(states, "SaveCouponRecord");

    // Assess
    expect(save.Retry?.length).toBeGreaterThan(0);
    for (const retrier of save.Retry ?? []) {
      // Step Functions' default MaxAttempts is 3.
      expect(retrier.MaxAttempts ?? 3).toBeLessThanOrEqual(3);
    }
    expect(catchTarget(save, "States.ALL")).toBe("ReportRecordNotSaved");
    expect(stateNamed(states, "ReportRecordNotSaved").Next).toBe("Converted");
    expect(stateNamed(states, "Converted").Type).toBe("Succeed");
  });

  it("ends only runs that need an operator FAILED, and every run within an hour", () => {
    // Assess: the failed-executions alarm must not ring for a customer's ordinary refusal.
    const fails = [...states].filter(([, state]) => state.Type === "Fail").map(([name]) => name);
    // LateDeductionUnsettled: points a late deduction took could not be given back (retries spent).
    expect(fails).toEqual(["LateDeductionUnsettled", "NeedsReview"]);
    expect(stateNamed(states, "FailConversion").Next).toBe("AfterCompensation");
    expect(stateNamed(states, "AfterCompensation").Default).toBe("AfterLateCoupon");
    expect(stateNamed(states, "AfterLateCoupon").Default).toBe("ConversionNotMade");
    expect(stateNamed(states, "ConversionNotMade").Type).toBe("Succeed");
    expect((definition as { TimeoutSeconds?: number }).TimeoutSeconds).toBe(3600);
  });

  it("looks for the code again after a compensation, once a lost creation can no longer land", () => {
    // Prepare
    const after = stateNamed(states, "AfterCompensation");
    const sweep = stateNamed(states, "SweepLateCoupon");
    const swept = stateNamed(states, "LateCouponSwept");
    const wait = stateNamed(states, "WaitForLateCreation");

    // Assess: only when DiscardCoupon said until when a creation may land (not for handed-off coupons)
    expect(after.Choices).toEqual([
      { Variable: "$.discard.lateUntil", IsPresent: true, Next: "SweepLateCoupon" },
    ]);
    expect(sweep.Next).toBe("LateCouponSwept");
    // Too early: wait as long as the step says, then look again; otherwise the run ends as before.
    expect(swept.Choices).toEqual([
      { Variable: "$.sweep.pending", IsPresent: true, Next: "WaitForLateCreation" },
    ]);
    expect(swept.Default).toBe("AfterLateCoupon");
    expect(wait).toMatchObject({ Type: "Wait", SecondsPath: "$.sweep.waitSeconds", Next: "SweepLateCoupon" });
    // Retried while Shopify is down; with its retries spent it looks again 5 minutes later, until
    // the execution's hour is up (a timed-out run ends FAILED, for an operator).
    expect(sweep.Retry?.[0]?.ErrorEquals).toContain("ShopifyUnavailable");
    expect(catchTarget(sweep, "States.ALL")).toBe("SweepAgainLater");
    expect(stateNamed(states, "SweepAgainLater")).toMatchObject({
      Type: "Wait",
      Seconds: 300,
      Next: "SweepLateCoupon",
    });
  });

  it("looks for a late deduction minutes after a compensation that followed an unanswered deduction", () => {
    // Prepare
    const after = stateNamed(states, "AfterLateCoupon");
    const wait = stateNamed(states, "WaitBeforeRecheckingDeduction");
    const check = stateNamed(states, "ReturnLateDeduction");

    // Assess: only when reconciliation found nothing (a missing path must not break the Choice)
    expect(after.Choices).toEqual([
      {
        And: [
          { Variable: "$.reconciliation.outcome", IsPresent: true },
          { Variable: "$.reconciliation.outcome", StringEquals: "not_applied" },
        ],
        Next: "WaitBeforeRecheckingDeduction",
      },
    ]);
    // Well past the settle time (twice the POS write timeout, 30 s by default).
    expect(wait).toMatchObject({ Type: "Wait", Seconds: 300, Next: "ReturnLateDeduction" });
    expect(check.Resource).toBe(functionArnMarker("returnLateDeduction"));
    expect(check.Next).toBe("ConversionNotMade");
    // The step is safe to repeat (claim, then a return keyed by the conversion): every error retries,
    // and with the retries spent the run ends FAILED for an operator.
    expect(check.Retry?.[0]?.ErrorEquals).toEqual(["States.ALL"]);
    expect(catchTarget(check, "States.ALL")).toBe("LateDeductionUnsettled");
  });

  it("catches every error inside each Parallel branch, so the Parallel state always waits for both", () => {
    // Prepare
    const parallels = [...states].filter(([, state]) => state.Type === "Parallel");

    // Assess
    expect(parallels.map(([name]) => name)).toEqual(["PrepareCoupon"]);
    for (const [, parallel] of parallels) {
      expect(parallel.Branches?.length).toBe(2);
      for (const branch of parallel.Branches ?? []) {
        const tasks = Object.entries(branch.States).filter(([, state]) => state.Type === "Task");
        expect(tasks.length).toBeGreaterThan(0);
        for (const [name, task] of tasks) {
          const target = catchTarget(task, "States.ALL");
          expect(target, `${name} catches States.ALL`).toBeDefined();
          expect(Object.keys(branch.States), `${name} handles its error in its own branch`).toContain(target);
        }
      }
    }
  });

  it("is a Standard workflow that logs ALL with execution data to its own log group, with tracing", () => {
    // Assess
    expect(properties).toMatchObject({
      StateMachineType: "STANDARD",
      TracingConfiguration: { Enabled: true },
      LoggingConfiguration: {
        Level: "ALL",
        IncludeExecutionData: true,
        Destinations: [
          {
            CloudWatchLogsLogGroup: {
              LogGroupArn: { "Fn::GetAtt": [logicalIdOf(machine.logGroup), "Arn"] },
            },
          },
        ],
      },
    });
  });

  it("may invoke exactly the 12 task functions", () => {
    // Prepare
    const functionIds = new Map(
      (Object.keys(catalogFunctions) as FunctionName[]).map((name) => [
        name,
        logicalIdOf(stack.functions[name].function),
      ]),
    );

    // Act
    const invoke = statementsOfRole(resources, logicalIdOf(machine.machine.role)).filter((statement) =>
      actionsOf(statement).includes("lambda:InvokeFunction"),
    );
    const invocable = [...functionIds]
      .filter(([, id]) => invoke.some((statement) => mentions(statement.Resource, id)))
      .map(([name]) => name);

    // Assess
    expect(new Set(invocable)).toEqual(new Set(Object.values(taskFunctions)));
    expect(invocable).toHaveLength(12);
    expect(invoke.flatMap(actionsOf).every((action) => action === "lambda:InvokeFunction")).toBe(true);
  });

  it("may be started only by the API and the reconciler, which may do nothing else in Step Functions", () => {
    // Prepare
    const sagaId = logicalIdOf(machine.machine);
    const conversions = stack.functions.conversions;
    const startingFunctions = (Object.keys(catalogFunctions) as FunctionName[]).filter((name) =>
      catalogFunctions[name].capabilities.includes("startConversion"),
    );

    // Act
    const stepFunctions = statementsOfRole(resources, logicalIdOf(conversions.role)).filter((statement) =>
      actionsOf(statement).some((action) => action.startsWith("states:")),
    );
    const starters = allStatements(resources).filter(
      ({ statement }) =>
        actionsOf(statement).includes("states:StartExecution") && mentions(statement.Resource, sagaId),
    );

    // Assess
    expect(stepFunctions).toEqual([
      expect.objectContaining({
        Effect: "Allow",
        Action: "states:StartExecution",
        Resource: { Ref: sagaId },
      }),
    ]);
    expect(startingFunctions.sort()).toEqual(["conversions", "reconcileConversions"]);
    const starterRoles = starters.flatMap(
      ({ policy }) => (resources[policy]?.Properties?.Roles ?? []) as Array<{ Ref: string }>,
    );
    expect(starterRoles.map((role) => role.Ref).sort()).toEqual(
      startingFunctions.map((name) => logicalIdOf(stack.functions[name].role)).sort(),
    );
    for (const name of startingFunctions) {
      const states = statementsOfRole(resources, logicalIdOf(stack.functions[name].role)).filter(
        (statement) => actionsOf(statement).some((action) => action.startsWith("states:")),
      );
      // Starting executions is all they may do in Step Functions (the reconciler also starts
      // abandoned cancellations, a grant on that saga only).
      expect(states.flatMap(actionsOf).every((action) => action === "states:StartExecution")).toBe(true);
      expect(states.filter((statement) => mentions(statement.Resource, sagaId))).toEqual([
        expect.objectContaining({ Action: "states:StartExecution", Resource: { Ref: sagaId } }),
      ]);
    }
    expect(
      (
        resources[logicalIdOf(conversions.function)]?.Properties?.Environment as {
          Variables: Record<string, unknown>;
        }
      )?.Variables.CONVERT_STATE_MACHINE_ARN,
    ).toEqual({ Ref: sagaId });
  });

  it("leaves no cdk-nag AwsSolutions finding unacknowledged on the real stack", () => {
    // Act
    const findings = awsSolutionsFindings(stack);

    // Assess
    expect(findings.map((finding) => `${finding.ruleName}: ${finding.description}`)).toEqual([]);
  });
});
