export { ShopifyAdminClient, type ShopifyAdminClientOptions } from "./admin-client";
export { ShopifyCustomers } from "./customers";
export { ShopifyDiscountCodes } from "./discount-codes";
export { ShopifyDiscountIssuer } from "./discount-issuer";
export { ShopifyCustomerMetafields } from "./metafields";
export { AdminGraphql, type AdminGraphqlOptions, throttleWaitMs } from "./transport";
