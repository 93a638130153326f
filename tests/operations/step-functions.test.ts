import { ExecutionAlreadyExists, SFN, SFNClient, StartExecutionCommand } from "@aws-sdk/client-sfn";
import { mockClient } from "aws-sdk-client-mock";
import { beforeEach, describe, expect, it } from "vitest";
import { conversionSagaRuns } from "../../shared/adapters/stepfunctions/saga-runs";
import type { ConversionOrder } from "../../shared/conversion/saga";

const machine = "arn:aws:states:ap-northeast-1:000000000000:stateMachine:Loyalty-demo-convertPoints";
const execution = "arn:aws:states:ap-northeast-1:000000000000:execution:Loyalty-demo-convertPoints:c1";
const NOW = new Date("2026-05-01T12:00:00.000Z");
const order = { conversionId: "c1", points: 500 } as ConversionOrder;

describe("Step Functions saga runs", () => {
  const sfn = mockClient(SFNClient);
  const runs = conversionSagaRuns(new SFN({ region: "ap-northeast-1" }), machine, () => NOW);
  beforeEach(() => sfn.reset());

  it("starts the run under the conversion id with the order as input", async () => {
    // Prepare
    sfn.on(StartExecutionCommand).resolves({ executionArn: execution, startDate: NOW });

    // Act
    const run = await runs.ensureStarted(order);

    // Assess
    expect(run).toEqual({ state: "started", executionArn: execution });
    expect(sfn.commandCalls(StartExecutionCommand)[0]?.args[0].input).toEqual({
      stateMachineArn: machine,
      name: "c1",
      input: JSON.stringify(order),
    });
  });

  it("recognises the running execution Standard workflows answer with, by its old start date", async () => {
    // Prepare
    const startDate = new Date(NOW.getTime() - 20 * 60_000);
    sfn.on(StartExecutionCommand).resolves({ executionArn: execution, startDate });

    // Act / Assess
    expect(await runs.ensureStarted(order)).toEqual({
      state: "running",
      executionArn: execution,
      startedAt: startDate,
    });
  });

  it("reads ExecutionAlreadyExists as a run that has ended", async () => {
    // Prepare
    sfn.on(StartExecutionCommand).rejects(new ExecutionAlreadyExists({ message: "exists", $metadata: {} }));

    // Act / Assess
    expect(await runs.ensureStarted(order)).toEqual({ state: "ended", executionArn: execution });
  });

  it("passes any other error on", async () => {
    // Prepare
    sfn.on(StartExecutionCommand).rejects(new Error("ThrottlingException"));

    // Act / Assess
    await expect(runs.ensureStarted(order)).rejects.toThrow("ThrottlingException");
  });
});
