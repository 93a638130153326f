import * as z from "zod/mini";
import type { CouponRecordEntry, CustomerCouponRecords } from "../../ports";
import type { CustomerRecords } from "../../shopify/ports";
import type { CouponRecord as StoredCoupon } from "../../store";
import type { CouponUsageRecords } from "../../usage/ports";

/**
 * The customer's coupon record in Shopify (metafield `$app:loyalty.coupons`), readable by the
 * customer-account extension. Bounded: Shopify caps JSON metafields at 128 KB, and DynamoDB keeps
 * every coupon anyway, so only the most recent entries are kept here.
 */

export const COUPON_RECORD_NAMESPACE = "$app:loyalty";
export const COUPON_RECORD_KEY = "coupons";
export const COUPON_RECORD_MAX_ENTRIES = 50;

const entrySchema = z.object({
  code: z.string(),
  amount: z.number(),
  currency: z.string(),
  points_used: z.number(),
  created_at: z.string(),
  expires_at: z.string(),
  status: z.string(),
  discount_id: z.string(),
  conversion_id: z.string(),
  type: z.optional(z.string()),
  reward_id: z.optional(z.string()),
});

export const couponRecordSchema = z.object({ coupons: z.array(entrySchema) });
export type CouponRecord = z.infer<typeof couponRecordSchema>;

/** Adds or replaces the entry of `entry.code`, newest first, keeping at most `max` entries. */
export function withEntry(
  current: CouponRecord | null,
  entry: CouponRecordEntry,
  max = COUPON_RECORD_MAX_ENTRIES,
): CouponRecord {
  const others = (current?.coupons ?? []).filter((existing) => existing.code !== entry.code);
  const coupons = [entry, ...others].sort((a, b) => b.created_at.localeCompare(a.created_at)).slice(0, max);
  return { coupons };
}

/**
 * Adds or replaces the entry of `entry.code`. An `active` entry is what the conversion saga writes
 * at issuance; once the code is revealed, a checkout webhook or a cancellation may write the entry
 * before the saga's (retried) write lands, and their status is later news: it stands.
 */
export function withIssuedEntry(current: CouponRecord | null, entry: CouponRecordEntry): CouponRecord {
  const existing = current?.coupons.find((other) => other.code.toUpperCase() === entry.code.toUpperCase());
  const status = entry.status === "active" && existing ? existing.status : entry.status;
  return withEntry(current, { ...entry, status });
}

/** The entry of `coupon` with `status`, keeping what the saga wrote when the entry exists. */
export function withStatus(current: CouponRecord | null, coupon: StoredCoupon, status: string): CouponRecord {
  const existing = current?.coupons.find((entry) => entry.code.toUpperCase() === coupon.code);
  return withEntry(
    current,
    existing
      ? { ...existing, status }
      : {
          code: coupon.code,
          amount: coupon.amount,
          currency: coupon.currency,
          points_used: coupon.pointsUsed,
          created_at: coupon.startsAt,
          expires_at: coupon.expiresAt,
          status,
          discount_id: coupon.discountId,
          conversion_id: coupon.conversionId,
        },
  );
}

/** The saga's entry at issuance and a cancellation's status: the writers of the customer's coupon record. */
export class MetafieldCouponRecords implements CustomerCouponRecords {
  constructor(private readonly customers: Pick<CustomerRecords, "updateJsonMetafield">) {}

  async upsert(customerGid: string, entry: CouponRecordEntry): Promise<void> {
    await this.customers.updateJsonMetafield(
      customerGid,
      COUPON_RECORD_NAMESPACE,
      COUPON_RECORD_KEY,
      (current) => withIssuedEntry(current, entry),
      couponRecordSchema,
    );
  }
}

/** A checkout's `used`, the order webhooks' write to the same record. */
export class MetafieldCouponUsage implements CouponUsageRecords {
  constructor(
    private readonly customers: Pick<CustomerRecords, "readJsonMetafield" | "updateJsonMetafield">,
  ) {}

  async markUsed(coupon: StoredCoupon): Promise<void> {
    const current = await this.customers.readJsonMetafield(
      coupon.customerGid,
      COUPON_RECORD_NAMESPACE,
      COUPON_RECORD_KEY,
      couponRecordSchema,
    );
    // orders/create and orders/paid both arrive for one order: the second needs no write.
    const entry = current?.coupons.find((existing) => existing.code.toUpperCase() === coupon.code);
    if (entry?.status === "used") return;
    await this.customers.updateJsonMetafield(
      coupon.customerGid,
      COUPON_RECORD_NAMESPACE,
      COUPON_RECORD_KEY,
      (value) => withStatus(value, coupon, "used"),
      couponRecordSchema,
    );
  }
}
