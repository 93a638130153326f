import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { CANCELLATION_SAGA, type FunctionName, stateMachines } from "../../infra/catalog";
import { REPOSITORY_ROOT } from "../../infra/stack";
import {
  type AslDefinition,
  type AslState,
  actionsOf,
  allStatements,
  buildTestStack,
  environmentOf,
  functionArnMarker,
  logicalIdOf,
  type Resources,
  readStateMachineDefinition,
  statementsOfRole,
} from "../infra/helpers";

/** The cancellation saga as CDK synthesises it from the real catalog and ASL file. */
const saga = stateMachines.cancelCoupon;
const taskFunctions: Readonly<Record<string, FunctionName>> = saga.tasks;

function taskFunction(placeholder: string): FunctionName {
  const name = taskFunctions[placeholder];
  if (!name) throw new Error(`The catalog maps no function to \${${placeholder}}`);
  return name;
}

describe("Cancellation saga (cancel-coupon) as synthesised from the real catalog", () => {
  // Prepare
  const { stack, template } = buildTestStack();
  const resources = template.toJSON().Resources as Resources;
  const { definition, properties } = readStateMachineDefinition(stack, CANCELLATION_SAGA, template);
  const aslFile = readFileSync(path.join(REPOSITORY_ROOT, saga.definitionFile), "utf8");
  const machine = stack.stateMachines[CANCELLATION_SAGA];
  if (!machine) throw new Error("The stack did not build the cancellation saga");
  const state = (name: string): AslState => {
    const found = definition.States[name];
    if (!found) throw new Error(`The cancellation saga has no state ${name}`);
    return found;
  };
  const catchTarget = (of: AslState, error: string) =>
    of.Catch?.find((catcher) => catcher.ErrorEquals.includes(error))?.Next;

  it("runs exactly the ASL file, each placeholder replaced by its task function's ARN", () => {
    const expected: unknown = JSON.parse(
      aslFile.replace(/\$\{([A-Za-z0-9_]+)\}/g, (_match, placeholder: string) =>
        functionArnMarker(taskFunction(placeholder)),
      ),
    );

    expect(definition).toEqual(expected);
    expect(properties.StateMachineType ?? "STANDARD").toBe("STANDARD");
    const raw = JSON.parse(aslFile) as AslDefinition;
    const placeholders = Object.values(raw.States)
      .filter((task) => task.Type === "Task")
      .map((task) => /^\$\{([A-Za-z0-9_]+)\}$/.exec(task.Resource ?? "")?.[1]);
    expect(new Set(placeholders)).toEqual(new Set(Object.keys(taskFunctions)));
  });

  it("never retries the refund; a decline parks, a certain refusal restores, anything else is reconciled", () => {
    const refund = state("RefundPoints");

    expect(refund.Resource).toBe(functionArnMarker("refundCouponPoints"));
    expect(refund).not.toHaveProperty("Retry");
    expect(catchTarget(refund, "PosDeclined")).toBe("ParkForReview");
    expect(catchTarget(refund, "PosUnavailable")).toBe("RefundNotSent");
    expect(refund.Catch?.at(-1)).toMatchObject({ ErrorEquals: ["States.ALL"], Next: "LetRefundSettle" });
    expect(state("LetRefundSettle")).toMatchObject({ Type: "Wait", Next: "ReconcileRefund" });
    // One more refund only after proof of non-application, and only once.
    expect(state("RefundOutcome").Choices).toEqual([
      // Too early to tell: the first attempt may still land; read again once it no longer can.
      { Variable: "$.reconciliation.outcome", StringEquals: "pending", Next: "WaitForLateRefund" },
      { Variable: "$.reconciliation.outcome", StringEquals: "applied", Next: "CompleteCancellation" },
      { Variable: "$.refundAttempt", IsPresent: true, Next: "ParkForReview" },
      { Variable: "$.reconciliation.outcome", StringEquals: "not_applied", Next: "RefundAgain" },
    ]);
    expect(state("RefundOutcome").Default).toBe("ParkForReview");
    expect(state("WaitForLateRefund")).toMatchObject({
      Type: "Wait",
      SecondsPath: "$.reconciliation.waitSeconds",
      Next: "ReconcileRefund",
    });
  });

  it("re-checks usage after the deactivation and before the refund; a used coupon is never refunded", () => {
    expect(state("DeactivateCode").Next).toBe("LetUsageSettle");
    expect(state("LetUsageSettle").Next).toBe("RecheckUsage");
    expect(state("RecheckUsage").Next).toBe("StillUnused");
    expect(state("StillUnused")).toMatchObject({
      Choices: [{ Variable: "$.usage.used", BooleanEquals: true, Next: "MarkUsed" }],
      Default: "RefundPoints",
    });
    for (const before of ["CheckCoupon", "DeactivateCode", "RecheckUsage"]) {
      expect(catchTarget(state(before), "States.ALL"), before).toBe("RestoreCoupon");
      expect(state(before).Retry?.[0]?.ErrorEquals, before).toContain("ShopifyUnavailable");
    }
  });

  it("lets the customer record and the email fail without failing the cancellation", () => {
    expect(catchTarget(state("SaveCouponRecord"), "States.ALL")).toBe("ReportRecordNotSaved");
    expect(catchTarget(state("NotifyCustomer"), "States.ALL")).toBe("ReportEmailNotSent");
    expect(state("NotifyCustomer").Retry?.[0]?.MaxAttempts).toBe(3);
    expect(state("NotifyCustomer").Next).toBe("AfterNotice");
    expect(state("ReportEmailNotSent").Next).toBe("AfterNotice");
    expect(state("AfterNotice").Default).toBe("Cancelled");
  });

  it("looks for a late first refund minutes after a refund sent twice, and takes the extra points back", () => {
    // Only when RefundAgain sent the refund a second time.
    expect(state("AfterNotice").Choices).toEqual([
      { Variable: "$.refundAttempt", IsPresent: true, Next: "WaitBeforeRecheckingRefund" },
    ]);
    expect(state("WaitBeforeRecheckingRefund")).toMatchObject({
      Type: "Wait",
      Seconds: 300,
      Next: "TakeBackLateRefund",
    });
    const check = state("TakeBackLateRefund");
    expect(check.Resource).toBe(functionArnMarker("takeBackLateRefund"));
    expect(check.Next).toBe("Cancelled");
    // Safe to repeat (claim, then a take-back keyed by the cancellation); with its retries spent
    // the run ends FAILED for an operator.
    expect(check.Retry?.[0]?.ErrorEquals).toEqual(["States.ALL"]);
    expect(catchTarget(check, "States.ALL")).toBe("LateRefundUnsettled");
    expect(state("LateRefundUnsettled").Type).toBe("Fail");
  });

  it("may be started by the cancellation API and the reconciler only, which may do nothing else there", () => {
    const api = stack.functions.couponCancellations;
    const reconciler = stack.functions.reconcileCancellations;
    const sagaId = logicalIdOf(machine.machine);

    const stepFunctions = statementsOfRole(resources, logicalIdOf(api.role)).filter((statement) =>
      actionsOf(statement).some((action) => action.startsWith("states:")),
    );
    const starters = allStatements(resources).filter(
      ({ statement }) =>
        actionsOf(statement).includes("states:StartExecution") &&
        JSON.stringify(statement.Resource) === JSON.stringify({ Ref: sagaId }),
    );
    const onThisSaga = allStatements(resources).filter(({ statement }) =>
      JSON.stringify(statement.Resource ?? null).includes(sagaId),
    );

    expect(stepFunctions).toEqual([
      expect.objectContaining({
        Effect: "Allow",
        Action: "states:StartExecution",
        Resource: { Ref: sagaId },
      }),
    ]);
    const starterRoles = starters.flatMap(
      ({ policy }) => (resources[policy]?.Properties?.Roles ?? []) as Array<{ Ref: string }>,
    );
    expect(starterRoles.map((role) => role.Ref).sort()).toEqual(
      [logicalIdOf(api.role), logicalIdOf(reconciler.role)].sort(),
    );
    // Nobody else is granted anything on the saga itself (its own role reaches it via executions).
    expect(onThisSaga.every(({ statement }) => actionsOf(statement).join() === "states:StartExecution")).toBe(
      true,
    );
    expect(environmentOf(resources, logicalIdOf(api.function)).CANCEL_STATE_MACHINE_ARN).toEqual({
      Ref: sagaId,
    });
  });
});
