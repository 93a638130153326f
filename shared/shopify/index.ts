export { ShopifyAdminClient, type ShopifyAdminClientOptions } from "./admin-client";
export type * from "./ports";
export { type AdminGraphqlOptions, throttleWaitMs } from "./transport";
