export { ShopifyAdminClient, type ShopifyAdminClientOptions } from "./admin-client";
export { ShopifyCustomers } from "./customers";
export { ShopifyDiscountCodes } from "./discount-codes";
export { ShopifyDiscountIssuer } from "./discount-issuer";
export { AdminGraphql, type AdminGraphqlOptions, throttleWaitMs } from "./transport";
