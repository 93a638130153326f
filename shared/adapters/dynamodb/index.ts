export { DynamoAuditTrail } from "./audit";
export type { RepositoryOptions } from "./common";
export { type ConversionStoreOptions, DynamoConversionStore } from "./conversions";
export { DynamoCouponReader, DynamoCouponStore } from "./coupons";
