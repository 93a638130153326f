import * as z from "zod/mini";
import type { CouponRecord } from "../store";

/**
 * Coupon search for shop staff: by customer or across the shop, newest first, filtered by the
 * status a person means. `expired` is what the customer experiences: stored as expired, or still
 * `active` past its end date (nothing rewrites a coupon when it runs out).
 */

export const couponFilterSchema = z.enum(["all", "active", "used", "cancelled", "expired"]);
export type CouponFilter = z.infer<typeof couponFilterSchema>;

export interface CouponSearch {
  customerId?: string;
  code?: string;
  status: CouponFilter;
  limit: number;
  cursor?: string;
}

/** The status a person sees now. */
export function effectiveStatus(coupon: CouponRecord, now: Date): CouponRecord["status"] {
  return coupon.status === "active" && new Date(coupon.expiresAt) <= now ? "expired" : coupon.status;
}

export function matchesFilter(coupon: CouponRecord, filter: CouponFilter, now: Date): boolean {
  return filter === "all" || effectiveStatus(coupon, now) === filter;
}
