import type { SagaStarter } from "../../ports";
import { executionArn } from "../../step-functions";
import { isExecutionAlreadyExists, type StepFunctionsApi } from "./client";

/**
 * Starts a saga under the record's id as the execution name, with the stored request as input, so
 * a replay sends exactly the same start. Standard workflows answer a start with the same name and
 * input while the run is going, and refuse one once it has ended (`ExecutionAlreadyExists`), so a
 * replayed request can never start a second saga; either way the answer is this record's run.
 */
export class StepFunctionsSagaStarter<Input> implements SagaStarter<Input> {
  constructor(
    private readonly sfn: StepFunctionsApi,
    private readonly stateMachineArn: string,
    /** The execution name: the conversion id, the cancellation id. */
    private readonly nameOf: (input: Input) => string,
    /** The execution's input; the record itself when not given. */
    private readonly inputOf: (input: Input) => unknown = (input) => input,
  ) {}

  async start(input: Input): Promise<string> {
    const name = this.nameOf(input);
    try {
      const started = await this.sfn.startExecution({
        stateMachineArn: this.stateMachineArn,
        name,
        input: JSON.stringify(this.inputOf(input)),
      });
      return started.executionArn ?? executionArn(this.stateMachineArn, name);
    } catch (error) {
      if (isExecutionAlreadyExists(error)) return executionArn(this.stateMachineArn, name);
      throw error;
    }
  }
}
