import type * as z from "zod/mini";

/**
 * What the loyalty domain needs from Shopify, in the shop's terms. `ShopifyAdminClient` implements
 * these against the Admin GraphQL API; domain tests use in-memory fakes.
 *
 * Errors: `ShopifyUnavailable` (network, timeout, 5xx, throttling: safe to retry) and
 * `ShopifyRejected` (Shopify refused the input: retrying the same call will not help).
 */

/** ISO 8601 instant, or a Date. */
export type Instant = string | Date;

export interface CombinesWith {
  orderDiscounts?: boolean;
  productDiscounts?: boolean;
  shippingDiscounts?: boolean;
}

export type DiscountValue =
  | { kind: "fixed_amount"; amount: number | string; currency: string; appliesOnEachItem?: boolean }
  /** A fraction: 0.1 is 10 % off. */
  | { kind: "percentage"; percentage: number };

export type EntitledItems = { productIds?: string[]; variantIds?: string[] } | { collectionIds: string[] };

interface DiscountCodeSpecBase {
  code: string;
  title: string;
  /** An id (e.g. the conversion id) that must appear in `title`; it proves that an existing code is ours. */
  marker: string;
  /** The only customer who may use the code. */
  customerGid: string;
  startsAt: Instant;
  endsAt?: Instant | null;
  usageLimit?: number | null;
  appliesOncePerCustomer?: boolean;
  combinesWith?: CombinesWith;
}

/** Amount or percentage off (Shopify's "basic" code discount). */
export interface AmountOffSpec extends DiscountCodeSpecBase {
  type?: "amount_off";
  value: DiscountValue;
  minimumSubtotal?: number | string;
  /** All items when omitted. */
  items?: EntitledItems;
}

export interface FreeShippingSpec extends DiscountCodeSpecBase {
  type: "free_shipping";
  minimumSubtotal?: number | string;
  maximumShippingPrice?: number | string;
  /** ISO country codes; every country when omitted. */
  countries?: string[];
}

/** Buy `buys.quantity` of some items, get `gets.quantity` of others at `gets.percentage` off (1 = free). */
export interface BuyXGetYSpec extends DiscountCodeSpecBase {
  type: "buy_x_get_y";
  buys: { quantity: number; items: EntitledItems };
  gets: { quantity: number; items: EntitledItems; percentage?: number };
  usesPerOrderLimit?: number;
}

export type DiscountCodeSpec = AmountOffSpec | FreeShippingSpec | BuyXGetYSpec;

export type DiscountStatus = "ACTIVE" | "EXPIRED" | "SCHEDULED";

export interface CreatedDiscountCode {
  discountId: string;
  code: string;
  status: DiscountStatus;
  /** True when the code already existed with our marker (a retried create) and was taken over. */
  adopted: boolean;
}

export interface DiscountCodeSummary {
  discountId: string;
  /** The code discount type, which decides the update mutation. */
  type: "DiscountCodeBasic" | "DiscountCodeFreeShipping" | "DiscountCodeBxgy";
  code: string;
  title: string;
  status: DiscountStatus;
  startsAt: string;
  endsAt: string | null;
  /** Lags real usage; order webhooks are the reliable signal. */
  asyncUsageCount: number;
  usageLimit: number | null;
  /** Customers the code is limited to; empty when `appliesToAllCustomers`. */
  customerGids: string[];
  appliesToAllCustomers: boolean;
}

/** Existing discount codes: found, deactivated, made live again, deleted. */
export interface DiscountCodeChanges {
  /** Case-insensitive. Deactivated codes are still found; deleted ones are not. */
  findDiscountByCode(code: string): Promise<DiscountCodeSummary | null>;
  /** Ends the discount now; the code stays reserved. */
  deactivateDiscount(discountId: string): Promise<DiscountCodeSummary>;
  /**
   * Live again with its planned dates: a deactivated code is activated, and because Shopify's
   * activate leaves no end date (and deactivating a scheduled code started it), the dates are set
   * again with the type's update mutation. Call only for a code that may be used again.
   */
  reinstateDiscount(
    discount: DiscountCodeSummary,
    planned: { startsAt: string; endsAt: string },
  ): Promise<DiscountCodeSummary>;
  /** Succeeds when the discount does not exist: the goal state holds. */
  deleteDiscount(discountId: string): Promise<void>;
  /** Deletes the code if it exists and its title carries `marker`; true when something was deleted. */
  deleteDiscountByCode(code: string, marker: string): Promise<boolean>;
  /** Deactivates the code if it exists and its title carries `marker`; its id when found. */
  deactivateDiscountByCode(code: string, marker: string): Promise<string | undefined>;
}

/** Discount codes, created and changed. */
export interface DiscountCodes extends DiscountCodeChanges {
  /** Idempotent per code: a retry that meets the code with our marker adopts it. */
  createDiscountCode(spec: DiscountCodeSpec): Promise<CreatedDiscountCode>;
}

export interface ShopifyCustomer {
  id: string;
  email: string | null;
  firstName: string | null;
  lastName: string | null;
  displayName: string;
  locale: string;
}

export interface CustomerRecords {
  getCustomer(customerGid: string): Promise<ShopifyCustomer | null>;
  /** The parsed value, or null when the metafield does not exist. */
  readJsonMetafield<T>(
    ownerGid: string,
    namespace: string,
    key: string,
    schema: z.ZodMiniType<T>,
  ): Promise<T | null>;
  /**
   * Read-modify-write with compare-and-set: `update` may run more than once (on a concurrent
   * change) and must be pure. Returns the value written.
   */
  updateJsonMetafield<T>(
    ownerGid: string,
    namespace: string,
    key: string,
    update: (current: T | null) => T,
    schema: z.ZodMiniType<T>,
  ): Promise<T>;
}

export interface ShopifyAdmin extends DiscountCodes, CustomerRecords {}
