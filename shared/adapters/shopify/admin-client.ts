import type * as z from "zod/mini";
import type { ShopifyAdmin, ShopifyCustomer } from "../../shopify/ports";
import { ShopifyCustomers } from "./customers";
import { ShopifyDiscountIssuer } from "./discount-issuer";
import { AdminGraphql, type AdminGraphqlOptions } from "./transport";

export interface ShopifyAdminClientOptions extends AdminGraphqlOptions {
  /** Read-modify-write rounds of `updateJsonMetafield` before giving up; 5 by default. */
  metafieldWriteAttempts?: number;
}

/**
 * All of `ShopifyAdmin` over one Admin GraphQL connection: discount codes (`ShopifyDiscountIssuer`)
 * and customers (`ShopifyCustomers`). The functions build only the part they use
 * (functions/runtime.ts); this whole client serves the tests against the Shopify emulator.
 */
export class ShopifyAdminClient extends ShopifyDiscountIssuer implements ShopifyAdmin {
  private readonly customers: ShopifyCustomers;

  constructor(options: ShopifyAdminClientOptions) {
    const graphql = new AdminGraphql(options);
    super(graphql);
    this.customers = new ShopifyCustomers(graphql, options);
  }

  getCustomer(customerGid: string): Promise<ShopifyCustomer | null> {
    return this.customers.getCustomer(customerGid);
  }

  readJsonMetafield<T>(ownerGid: string, namespace: string, key: string, schema: z.ZodMiniType<T>) {
    return this.customers.readJsonMetafield(ownerGid, namespace, key, schema);
  }

  updateJsonMetafield<T>(
    ownerGid: string,
    namespace: string,
    key: string,
    update: (current: T | null) => T,
    schema: z.ZodMiniType<T>,
  ): Promise<T> {
    return this.customers.updateJsonMetafield(ownerGid, namespace, key, update, schema);
  }
}
