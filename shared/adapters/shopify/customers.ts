import type { CustomerRecords, ShopifyCustomer } from "../../shopify/ports";
import * as ops from "./customer-operations";
import type { AdminGraphql } from "./transport";

/**
 * Customers over the Admin GraphQL API: the cancellation email's address and locale. Their JSON
 * metafields (the coupon record) are read and written by `ShopifyCustomerMetafields`. Create once
 * per container over the container's one `AdminGraphql`.
 */
export class ShopifyCustomers implements Pick<CustomerRecords, "getCustomer"> {
  constructor(private readonly graphql: AdminGraphql) {}

  async getCustomer(customerGid: string): Promise<ShopifyCustomer | null> {
    const data = await this.graphql.request(
      "customer",
      ops.customerById.query,
      { id: customerGid },
      ops.customerById.schema,
    );
    return data.customer;
  }
}
