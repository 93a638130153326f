export {
  defaultSmaregiScopes,
  PointChangeOutcomeUnknown,
  type SmaregiClientOptions,
  SmaregiPointsLedger,
} from "./client";
export type { SmaregiCredentials } from "./token";
