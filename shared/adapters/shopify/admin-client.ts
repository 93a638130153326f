import type * as z from "zod/mini";
import type { ShopifyAdmin, ShopifyCustomer } from "../../shopify/ports";
import { ShopifyCustomers } from "./customers";
import { ShopifyDiscountIssuer } from "./discount-issuer";
import { ShopifyCustomerMetafields } from "./metafields";
import { AdminGraphql, type AdminGraphqlOptions } from "./transport";

export interface ShopifyAdminClientOptions extends AdminGraphqlOptions {
  /** Read-modify-write rounds of `updateJsonMetafield` before giving up; 5 by default. */
  metafieldWriteAttempts?: number;
}

/**
 * All of `ShopifyAdmin` over one Admin GraphQL connection: discount codes (`ShopifyDiscountIssuer`),
 * customers (`ShopifyCustomers`) and their metafields (`ShopifyCustomerMetafields`). The functions build only the part they use
 * (functions/runtime.ts); this whole client serves the tests against the Shopify emulator.
 */
export class ShopifyAdminClient extends ShopifyDiscountIssuer implements ShopifyAdmin {
  private readonly customers: ShopifyCustomers;
  private readonly metafields: ShopifyCustomerMetafields;

  constructor(options: ShopifyAdminClientOptions) {
    const graphql = new AdminGraphql(options);
    super(graphql);
    this.customers = new ShopifyCustomers(graphql);
    this.metafields = new ShopifyCustomerMetafields(graphql, options);
  }

  getCustomer(customerGid: string): Promise<ShopifyCustomer | null> {
    return this.customers.getCustomer(customerGid);
  }

  readJsonMetafield<T>(ownerGid: string, namespace: string, key: string, schema: z.ZodMiniType<T>) {
    return this.metafields.readJsonMetafield(ownerGid, namespace, key, schema);
  }

  updateJsonMetafield<T>(
    ownerGid: string,
    namespace: string,
    key: string,
    update: (current: T | null) => T,
    schema: z.ZodMiniType<T>,
  ): Promise<T> {
    return this.metafields.updateJsonMetafield(ownerGid, namespace, key, update, schema);
  }
}
