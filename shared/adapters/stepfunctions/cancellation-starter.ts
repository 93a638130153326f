import { ExecutionAlreadyExists, type SFNClient, StartExecutionCommand } from "@aws-sdk/client-sfn";
import type { CancellationStarter } from "../../cancellation/ports";
import type { CancellationRecord } from "../../cancellation/records";
import { orderOf } from "../../cancellation/saga";
import { executionArn } from "../../execution-arn";

/**
 * Starts the cancellation saga with the cancellation id (code + Idempotency-Key) as the execution
 * name and the stored request as input, so a replay sends exactly the same start: a running
 * execution answers it, a finished one refuses it, and a second saga never runs.
 */
export class StepFunctionsCancellationStarter implements CancellationStarter {
  constructor(
    private readonly sfn: SFNClient,
    private readonly stateMachineArn: string,
  ) {}

  async start(cancellation: CancellationRecord): Promise<string> {
    try {
      const started = await this.sfn.send(
        new StartExecutionCommand({
          stateMachineArn: this.stateMachineArn,
          name: cancellation.cancellationId,
          input: JSON.stringify(orderOf(cancellation)),
        }),
      );
      return started.executionArn ?? this.executionArnOf(cancellation.cancellationId);
    } catch (error) {
      // Already ran under this name: it is still this cancellation's run.
      if (error instanceof ExecutionAlreadyExists) return this.executionArnOf(cancellation.cancellationId);
      throw error;
    }
  }

  executionArnOf(cancellationId: string): string {
    return executionArn(this.stateMachineArn, cancellationId);
  }
}
