export { InMemoryMemberDirectory, type InMemoryMemberDirectoryOptions } from "./member-directory";
export { memberNumberFromCustomerGid } from "./member-number";
export * from "./ports";
export {
  defaultSmaregiScopes,
  PointChangeOutcomeUnknown,
  type SmaregiClientOptions,
  SmaregiPointsLedger,
} from "./smaregi-client";
export type { SmaregiCredentials } from "./smaregi-token";
