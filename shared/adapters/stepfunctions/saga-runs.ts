import type { CancellationOrder } from "../../cancellation/saga";
import type { ConversionOrder } from "../../conversion/saga";
import type { SagaRun, SagaRuns } from "../../operations/ports";
import { executionArn } from "../../step-functions";
import { isExecutionAlreadyExists, type StepFunctionsApi } from "./client";

/**
 * Learns about a saga run by starting it under its name, which needs only `states:StartExecution`
 * (what the `startConversion` and `startCancellation` capabilities grant). Standard workflows
 * answer a start with the name and input of a running execution with that execution (its original
 * start date), and refuse with `ExecutionAlreadyExists` once it has ended.
 */
export class StepFunctionsSagaRuns<Order> implements SagaRuns<Order> {
  constructor(
    private readonly sfn: StepFunctionsApi,
    private readonly stateMachineArn: string,
    /** The execution name the API starts this order's run under. */
    private readonly nameOf: (order: Order) => string,
    private readonly now: () => Date = () => new Date(),
    /** A start date this close to the call means the call started the run. */
    private readonly clockToleranceMs = 60_000,
  ) {}

  async ensureStarted(order: Order): Promise<SagaRun> {
    const name = this.nameOf(order);
    const fallbackArn = executionArn(this.stateMachineArn, name);
    const asked = this.now();
    try {
      const answer = await this.sfn.startExecution({
        stateMachineArn: this.stateMachineArn,
        name,
        input: JSON.stringify(order),
      });
      const startedAt = answer.startDate ?? asked;
      const arn = answer.executionArn ?? fallbackArn;
      return startedAt.getTime() >= asked.getTime() - this.clockToleranceMs
        ? { state: "started", executionArn: arn }
        : { state: "running", executionArn: arn, startedAt };
    } catch (error) {
      if (isExecutionAlreadyExists(error)) {
        return { state: "ended", executionArn: fallbackArn };
      }
      throw error;
    }
  }
}

/** Conversion runs are named after the conversion id, as the API names them. */
export const conversionSagaRuns = (sfn: StepFunctionsApi, stateMachineArn: string, now?: () => Date) =>
  new StepFunctionsSagaRuns<ConversionOrder>(sfn, stateMachineArn, (order) => order.conversionId, now);

/** Cancellation runs are named after the cancellation id (code and Idempotency-Key). */
export const cancellationSagaRuns = (sfn: StepFunctionsApi, stateMachineArn: string, now?: () => Date) =>
  new StepFunctionsSagaRuns<CancellationOrder>(sfn, stateMachineArn, (order) => order.cancellationId, now);
