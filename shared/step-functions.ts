/** What the sagas' steps share about Step Functions: execution ARNs and caught errors. */

/** The ARN of a Step Functions execution, from its state machine's ARN and the execution name. */
export const executionArn = (stateMachineArn: string, name: string): string =>
  `${stateMachineArn.replace(":stateMachine:", ":execution:")}:${name}`;

/** Error output of a Catch (`ResultPath: $.error`), as Step Functions writes it. */
export interface CaughtError {
  Error: string;
  Cause?: string;
}

/** An error as a Catch would record it, for steps run outside the state machine. */
export const caught = (error: unknown): CaughtError =>
  error instanceof Error ? { Error: error.name, Cause: error.message } : { Error: String(error) };

/** Lambda puts `{"errorType","errorMessage"}` in Cause; show the message, never a stack. */
export function causeMessage(error: CaughtError | undefined): string {
  if (!error?.Cause) return error?.Error ?? "unknown error";
  try {
    const parsed = JSON.parse(error.Cause) as { errorMessage?: unknown };
    if (typeof parsed.errorMessage === "string") return parsed.errorMessage;
  } catch {
    // Not JSON: a Step Functions error such as States.Timeout carries plain text.
  }
  return error.Cause;
}
