export * from "./conversion-records";
export * from "./errors";
export type * from "./ports";
export * from "./records";
export { shopLocalDate } from "./shop-date";
