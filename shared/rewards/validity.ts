import type { CouponRecord } from "../store";

/** The coupon model's validation step: can the owner use this code right now, and if not, why. */

export type InvalidReason = "expired" | "used" | "cancelled" | "not_started" | "suspended";

export interface CouponValidity {
  code: string;
  valid: boolean;
  /** Absent when valid. `suspended`: held while staff check a conversion. */
  reason?: InvalidReason;
  type: string;
  rewardId?: string;
  startsAt: string;
  expiresAt: string;
  usedAt?: string;
  cancelledAt?: string;
}

function reasonOf(coupon: CouponRecord, now: Date): InvalidReason | undefined {
  if (coupon.status === "active") {
    if (now.getTime() < Date.parse(coupon.startsAt)) return "not_started";
    // An active coupon past its end reads as expired before anything rewrote its status.
    if (now.getTime() >= Date.parse(coupon.expiresAt)) return "expired";
    return undefined;
  }
  if (coupon.status === "used") return "used";
  if (coupon.status === "expired") return "expired";
  if (coupon.status === "inactive") return "suspended";
  // Cancelled, or a cancellation under way.
  return "cancelled";
}

export function validityOf(coupon: CouponRecord, now: Date): CouponValidity {
  const reason = reasonOf(coupon, now);
  return {
    code: coupon.code,
    valid: reason === undefined,
    ...(reason ? { reason } : {}),
    type: coupon.type,
    ...(coupon.rewardId !== undefined ? { rewardId: coupon.rewardId } : {}),
    startsAt: coupon.startsAt,
    expiresAt: coupon.expiresAt,
    ...(coupon.usedAt ? { usedAt: coupon.usedAt } : {}),
    ...(coupon.cancelledAt ? { cancelledAt: coupon.cancelledAt } : {}),
  };
}
