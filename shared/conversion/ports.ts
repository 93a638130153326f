/**
 * What the conversion saga needs from the outside world. The Smaregi, Shopify, DynamoDB and SES
 * adapters implement these; domain tests use in-memory fakes.
 */

export type { PointsLedger as PointsPos } from "../pos/ports";

export type { DiscountCodes } from "../shopify/ports";

export interface CouponRecordEntry {
  code: string;
  amount: number;
  currency: string;
  points_used: number;
  created_at: string;
  expires_at: string;
  status: string;
  discount_id: string;
  conversion_id: string;
  /** Conversions by reward: the coupon's type and the rule. */
  type?: string;
  reward_id?: string;
}

export interface CustomerCouponRecords {
  /** Adds or replaces this code's entry; an `active` entry never overwrites a later status. */
  upsert(customerGid: string, entry: CouponRecordEntry): Promise<void>;
}

/**
 * POS transactions that shop staff's point adjustments own. Reconciling a saga's lost POS write
 * never takes one of them for its own: a staff correction of the same size is not a deduction.
 */
export interface AdjustmentTransactions {
  /** Transaction ids of the customer's recent adjustments. */
  ofCustomer(customerId: string): Promise<string[]>;
}

export interface AdminAlerts {
  /** Logs, counts and emails an alert to the shop's admins. Never throws. */
  raise(kind: AlertKind, summary: string, details: Record<string, unknown>): Promise<void>;
}

export type AlertKind = "needs_review" | "compensation_failed" | "coupon_record_not_saved" | "email_not_sent";
