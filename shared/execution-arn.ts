/** The ARN of a Step Functions execution, from its state machine's ARN and the execution name. */
export const executionArn = (stateMachineArn: string, name: string): string =>
  `${stateMachineArn.replace(":stateMachine:", ":execution:")}:${name}`;
