/**
 * Outcomes of a cancellation that callers branch on. Their class names are what the cancellation
 * state machine's `ErrorEquals` match; their HTTP mapping is what the admin API answers.
 */
import { Conflict, LoyaltyError } from "../errors";

/** The coupon is not `cancelling` on behalf of this cancellation (another one holds it, or none). */
export class CouponNotHeld extends Conflict {
  override readonly name: string = "CouponNotHeld";
  constructor(detail: string) {
    super("cancellation_conflict", detail);
  }
}

/** The coupon's Shopify code no longer exists, so its usage cannot be checked. */
export class DiscountCodeMissing extends Conflict {
  override readonly name: string = "DiscountCodeMissing";
  constructor(detail: string) {
    super("discount_not_found", detail);
  }
}

/** The code is still live after its deactivation: never refund while it can be used. */
export class DiscountStillActive extends Conflict {
  override readonly name: string = "DiscountStillActive";
  constructor(detail: string) {
    super("discount_still_active", detail);
  }
}

/** A cancellation that ended without cancelling, as the admin should read it. */
export class CancellationRefused extends LoyaltyError {
  override readonly name: string = "CancellationRefused";
  readonly status: number;
  readonly code: string;
  readonly title = "The coupon was not cancelled";
  constructor(code: string, detail: string) {
    super(detail);
    this.code = code;
    this.status = refusalStatus[code] ?? 502;
  }
}

const refusalStatus: Record<string, number> = {
  already_used: 409,
  already_cancelled: 409,
  cancellation_conflict: 409,
  discount_not_found: 409,
  discount_still_active: 409,
  not_registered: 422,
  // Staff found the refund had not landed and gave the coupon back; it may be cancelled anew.
  resolved_not_refunded: 409,
  pos_unavailable: 503,
  shopify_unavailable: 503,
  shopify_rejected: 502,
};
