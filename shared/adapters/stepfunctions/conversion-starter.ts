import { ExecutionAlreadyExists, type SFNClient, StartExecutionCommand } from "@aws-sdk/client-sfn";
import type { SagaStarter } from "../../conversion/request";
import type { ConversionOrder } from "../../conversion/saga";
import { executionArn } from "../../execution-arn";

/**
 * Starts the conversion saga with the conversion id as the execution name. Standard workflows
 * refuse a second execution of the same name with different input and return the existing one
 * for the same input, so a replayed request can never start a second saga.
 */
export class StepFunctionsSagaStarter implements SagaStarter {
  constructor(
    private readonly sfn: SFNClient,
    private readonly stateMachineArn: string,
  ) {}

  async start(order: ConversionOrder): Promise<string> {
    try {
      const started = await this.sfn.send(
        new StartExecutionCommand({
          stateMachineArn: this.stateMachineArn,
          name: order.conversionId,
          input: JSON.stringify(order),
        }),
      );
      return started.executionArn ?? this.executionArnOf(order.conversionId);
    } catch (error) {
      // Same name, different input: it is still this conversion's run.
      if (error instanceof ExecutionAlreadyExists) return this.executionArnOf(order.conversionId);
      throw error;
    }
  }

  executionArnOf(conversionId: string): string {
    return executionArn(this.stateMachineArn, conversionId);
  }
}
