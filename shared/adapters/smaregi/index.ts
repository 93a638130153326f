export {
  defaultSmaregiScopes,
  type SmaregiClientOptions,
  SmaregiPointsReader,
  smaregiTokenSource,
} from "./client";
export { PointChangeOutcomeUnknown, SmaregiPointsLedger } from "./ledger";
export type { SmaregiCredentials } from "./token";
