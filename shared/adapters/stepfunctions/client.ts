import type {
  ExecutionAlreadyExists,
  SFNClientConfig,
  StartExecutionCommandInput,
  StartExecutionCommandOutput,
} from "@aws-sdk/client-sfn";
import { onFirstUse } from "../lazy";

/**
 * The one Step Functions call the service makes. The SDK's aggregated `SFN` client has it (tests
 * pass one); functions get `stepFunctions`, which loads the SDK on the first call.
 */
export interface StepFunctionsApi {
  startExecution(input: StartExecutionCommandInput): Promise<StartExecutionCommandOutput>;
}

/** A Step Functions client created on its first call, so no function loads the SDK at import. */
export function stepFunctions(config: SFNClientConfig): StepFunctionsApi {
  const client = onFirstUse(async () => {
    const { SFN } = await import("@aws-sdk/client-sfn");
    return new SFN(config);
  });
  return { startExecution: async (input) => (await client()).startExecution(input) };
}

/** A start refused because an execution of that name has ended (recognised by name: see client.ts of dynamodb). */
export function isExecutionAlreadyExists(error: unknown): error is ExecutionAlreadyExists {
  return error instanceof Error && error.name === "ExecutionAlreadyExists";
}
