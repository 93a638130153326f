import * as z from "zod/mini";
import type { TransactionOwners } from "../../pos/evidence";
import type { Page, PageRequest } from "../../store/ports";
import { DynamoStore, type Item, type RepositoryOptions } from "./common";
import { customerIndexPrefixes } from "./keys";

/**
 * The customer's records that own POS transactions (conversions' deductions, coupons' refunds,
 * staff adjustments), as `claimedTransactions` (shared/pos/evidence.ts) reads them: the same
 * listings of the customer index as the conversion, coupon and adjustment stores, newest first,
 * but only the owner's id and its transaction ids are read from each item. A reader of POS
 * evidence that changes none of these records then carries none of their stores.
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
    listConversionsByCustomer: (customerId: string, page: PageRequest) =>
      this.#list(customerId, customerIndexPrefixes.conversion, page, conversionOwnerSchema),
  };

  readonly coupons = {
    listCouponsByCustomer: (customerId: string, page: PageRequest) =>
      this.#list(customerId, customerIndexPrefixes.coupon, page, couponOwnerSchema),
  };

  readonly adjustments = {
    listByCustomer: async (customerId: string, limit: number) =>
      (await this.#list(customerId, customerIndexPrefixes.adjustment, { limit }, adjustmentOwnerSchema))
        .items,
  };

  #list<T>(
    customerId: string,
    prefix: string,
    page: PageRequest,
    schema: z.ZodMiniType<T>,
  ): Promise<Page<T>> {
    return this.listByCustomerIndex(customerId, prefix, page, (item: Item) => schema.parse(item));
  }
}
