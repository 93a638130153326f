import type { CustomerRecords } from "../../shopify/ports";
import type { CouponRecord } from "../../store";
import type { CouponUsageRecords } from "../../usage/ports";
import {
  COUPON_RECORD_KEY,
  COUPON_RECORD_NAMESPACE,
  type CouponRecord as CouponRecordValue,
  couponRecordSchema,
  withEntry,
} from "./coupon-records";

/** The entry of `coupon` with `status`, keeping what the saga wrote when the entry exists. */
export function withStatus(
  current: CouponRecordValue | null,
  coupon: CouponRecord,
  status: string,
): CouponRecordValue {
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

export class MetafieldUsageRecords implements CouponUsageRecords {
  constructor(private readonly customers: CustomerRecords) {}

  async markUsed(coupon: CouponRecord): Promise<void> {
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
