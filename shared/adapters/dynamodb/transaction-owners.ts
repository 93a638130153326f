import * as z from "zod/mini";
import type { TransactionOwners } from "../../pos/evidence";
import { DynamoStore, type Item, type RepositoryOptions } from "./common";
import { customerIndexPrefixes } from "./keys";
import { newestByCustomer } from "./listings";

/**
 * The customer's records that own POS transactions (conversions' deductions, coupons' refunds,
 * staff adjustments), as `claimedTransactions` (shared/pos/evidence.ts) reads them: the same
 * listings of the customer index as the conversion, coupon and adjustment stores, newest first,
 * but only the owner's id and its transaction ids are read from each item, and only the newest (no
 * cursor). A reader of POS evidence that changes none of these records then carries none of their
 * stores, nor the listings' paging.
 */

const transactionIds = z.optional(z.array(z.string()));
const conversionOwnerSchema = z.object({ conversionId: z.string(), transactionHeadIds: transactionIds });
const couponOwnerSchema = z.object({ code: z.string(), refundTransactionHeadIds: transactionIds });
const adjustmentOwnerSchema = z.object({ adjustmentId: z.string(), transactionHeadIds: transactionIds });

export class DynamoTransactionOwners extends DynamoStore implements TransactionOwners {
  constructor(options: RepositoryOptions) {
    super(options);
  }

  readonly conversions = {
    listConversionsByCustomer: async (customerId: string, page: { limit: number }) => ({
      items: await this.#newest(
        customerId,
        customerIndexPrefixes.conversion,
        page.limit,
        conversionOwnerSchema,
      ),
    }),
  };

  readonly coupons = {
    listCouponsByCustomer: async (customerId: string, page: { limit: number }) => ({
      items: await this.#newest(customerId, customerIndexPrefixes.coupon, page.limit, couponOwnerSchema),
    }),
  };

  readonly adjustments = {
    listByCustomer: (customerId: string, limit: number) =>
      this.#newest(customerId, customerIndexPrefixes.adjustment, limit, adjustmentOwnerSchema),
  };

  #newest<T>(customerId: string, prefix: string, limit: number, schema: z.ZodMiniType<T>): Promise<T[]> {
    return newestByCustomer(this.client, this.table, customerId, prefix, limit, (item: Item) =>
      schema.parse(item),
    );
  }
}
