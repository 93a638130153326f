/**
 * What usage sync needs beyond the coupon store and the audit trail: the de-duplication of
 * webhook deliveries and the customer's coupon record in Shopify.
 */
import type { AdminAlerts } from "../ports";
import type { AuditTrail, CouponRecord, CouponStore } from "../store";

export type DeliveryClaim = "claimed" | "duplicate";

export interface WebhookDeliveries {
  /**
   * Claims a delivery by its `X-Shopify-Webhook-Id` (conditional write). `duplicate` when it was
   * processed before or another invocation is processing it right now.
   */
  claim(webhookId: string, topic: string, now: Date): Promise<DeliveryClaim>;
  /** Marks the delivery processed; its record expires after Shopify's retry window. */
  complete(webhookId: string, outcome: string): Promise<void>;
  /** Gives up the claim after a failure, so Shopify's retry of the same delivery is processed. */
  release(webhookId: string): Promise<void>;
}

export interface CouponUsageRecords {
  /** Sets the status of the coupon's entry in the customer's record to `used` (adds it if missing). */
  markUsed(coupon: CouponRecord): Promise<void>;
}

export interface UsageDependencies {
  coupons: Pick<CouponStore, "getCoupon" | "updateCouponStatus">;
  records: CouponUsageRecords;
  audit: Pick<AuditTrail, "appendAuditEvent">;
  alerts: AdminAlerts;
}
