export { ShopifyAdminClient, type ShopifyAdminClientOptions } from "./admin-client";
export { type AdminGraphqlOptions, throttleWaitMs } from "./transport";
