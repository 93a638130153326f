export { DynamoAuditHistory, DynamoAuditTrail } from "./audit";
export type { RepositoryOptions } from "./common";
export { DynamoConversionCompletion } from "./conversion-completion";
export {
  type ConversionStoreOptions,
  DynamoConversionListings,
  DynamoConversionRecords,
  DynamoConversionStore,
} from "./conversions";
export { DynamoCouponListings, DynamoCouponReader, DynamoCouponStore } from "./coupons";
