export { DynamoAuditTrail } from "./audit";
export type { RepositoryOptions } from "./common";
export { DynamoConversionCompletion } from "./conversion-completion";
export { type ConversionStoreOptions, DynamoConversionRecords, DynamoConversionStore } from "./conversions";
export { DynamoCouponReader, DynamoCouponStore } from "./coupons";
