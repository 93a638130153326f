import { ExecutionAlreadyExists, type SFNClient, StartExecutionCommand } from "@aws-sdk/client-sfn";
import type { ConversionOrder } from "../conversion/saga";
import type { ConversionSagaRuns, SagaRun } from "./ports";

/**
 * Learns about a conversion's saga run by starting it, which needs only `states:StartExecution`
 * (what the `startConversion` capability grants). Standard workflows answer a start with the
 * name and input of a running execution with that execution (its original start date), and
 * refuse with `ExecutionAlreadyExists` once it has ended.
 */
export class StepFunctionsConversionSagaRuns implements ConversionSagaRuns {
  constructor(
    private readonly sfn: SFNClient,
    private readonly stateMachineArn: string,
    private readonly now: () => Date = () => new Date(),
    /** A start date this close to the call means the call started the run. */
    private readonly clockToleranceMs = 60_000,
  ) {}

  async ensureStarted(order: ConversionOrder): Promise<SagaRun> {
    const executionArn = this.executionArnOf(order.conversionId);
    const asked = this.now();
    try {
      const answer = await this.sfn.send(
        new StartExecutionCommand({
          stateMachineArn: this.stateMachineArn,
          name: order.conversionId,
          input: JSON.stringify(order),
        }),
      );
      const startedAt = answer.startDate ?? asked;
      const arn = answer.executionArn ?? executionArn;
      return startedAt.getTime() >= asked.getTime() - this.clockToleranceMs
        ? { state: "started", executionArn: arn }
        : { state: "running", executionArn: arn, startedAt };
    } catch (error) {
      if (
        error instanceof ExecutionAlreadyExists ||
        (error instanceof Error && error.name === "ExecutionAlreadyExists")
      ) {
        return { state: "ended", executionArn };
      }
      throw error;
    }
  }

  executionArnOf(conversionId: string): string {
    return `${this.stateMachineArn.replace(":stateMachine:", ":execution:")}:${conversionId}`;
  }
}
