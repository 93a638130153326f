export { defaultSmaregiScopes, type SmaregiClientOptions, SmaregiPointsReader } from "./client";
export { PointChangeOutcomeUnknown, SmaregiPointsLedger } from "./ledger";
export type { SmaregiCredentials } from "./token";
