export type { TaskHandler } from "./definition";
export type { HistoryEvent } from "./history";
export { createStepFunctionsApp, startLocalStepFunctionsServer } from "./server";
export {
  createLocalStepFunctions,
  type ExecutionDescription,
  type ExecutionStatus,
  type ExecutionSummary,
  LocalStepFunctions,
  type LocalStepFunctionsOptions,
  type StateMachineRegistration,
  StepFunctionsError,
} from "./service";
