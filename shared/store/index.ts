export { DynamoAuditTrail } from "./dynamodb/audit";
export type { RepositoryOptions } from "./dynamodb/common";
export { type ConversionStoreOptions, DynamoConversionStore } from "./dynamodb/conversions";
export { DynamoCouponStore } from "./dynamodb/coupons";
export * from "./errors";
export type * from "./ports";
export * from "./records";
export { shopLocalDate } from "./shop-date";
