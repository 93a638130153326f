/**
 * The API's fixed lists the console offers. They repeat the server's enums (the bundle does not
 * carry zod); tests/console/lists.test.ts fails when the two disagree.
 */

export const cancelReasons = [
  "customer_request",
  "converted_by_mistake",
  "order_cancelled",
  "fraud",
  "other",
] as const;
export type CancelReason = (typeof cancelReasons)[number];

export const adjustmentReasons = ["order_cancelled_coupon_used", "goodwill", "correction", "other"] as const;
export type AdjustmentReason = (typeof adjustmentReasons)[number];

export const couponFilters = ["all", "active", "used", "cancelled", "expired"] as const;
export type CouponFilter = (typeof couponFilters)[number];

export const couponTypes = [
  "fixed_discount",
  "percentage_discount",
  "fixed_rate_discount",
  "free_shipping",
  "free_product",
  "custom",
] as const;

export const conversionResolutions = ["points_taken", "points_not_taken"] as const;
export const cancellationResolutions = ["points_refunded", "points_not_refunded"] as const;
export const adjustmentResolutions = ["points_changed", "points_not_changed"] as const;

/** Shopify customer ids as the admin API takes them: digits, or the customer's gid. */
export function customerIdOf(input: string): string | undefined {
  const text = input.trim();
  const match = /^(?:gid:\/\/shopify\/Customer\/)?(\d{1,20})$/.exec(text);
  return match?.[1];
}
