import { couponsQuerySchema } from "../shared/api/customer";
import { httpApi, json } from "../shared/http/api";
import { invalidRequestFrom } from "../shared/http/problem";
import type { CouponRecord } from "../shared/store";
import { couponListings, customerOf } from "./runtime";

/** GET /v1/me/coupons: the signed-in customer's coupons, newest first, with their status now. */

/** An active coupon past its end date reads as expired even before anything rewrote it. */
const statusNow = (coupon: CouponRecord, now: Date) =>
  coupon.status === "active" && new Date(coupon.expiresAt) <= now ? "expired" : coupon.status;

export const handler = httpApi(async function coupons(event) {
  const customer = await customerOf(event);
  const parsed = couponsQuerySchema.safeParse(event.queryStringParameters ?? {});
  if (!parsed.success) throw invalidRequestFrom(parsed.error);
  const page = await couponListings().listCouponsByCustomer(customer.customerId, parsed.data);
  const now = new Date();
  return json(200, {
    // A coupon held for review (`inactive`) is not the customer's yet: whether its points were
    // taken is open, and codes are shown only once the deduction is certain.
    coupons: page.items
      .filter((coupon) => coupon.status !== "inactive")
      .map((coupon) => ({
        code: coupon.code,
        status: statusNow(coupon, now),
        amount: coupon.amount,
        currency: coupon.currency,
        pointsUsed: coupon.pointsUsed,
        type: coupon.type,
        ...(coupon.rewardId ? { rewardId: coupon.rewardId } : {}),
        startsAt: coupon.startsAt,
        expiresAt: coupon.expiresAt,
        createdAt: coupon.createdAt,
        ...(coupon.usedAt ? { usedAt: coupon.usedAt } : {}),
        ...(coupon.cancelledAt ? { cancelledAt: coupon.cancelledAt } : {}),
      })),
    ...(page.nextCursor ? { nextCursor: page.nextCursor } : {}),
  });
});
