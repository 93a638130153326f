/**
 * The ports more than one feature uses, each once under one name. Feature-only ports live beside
 * their feature (`<feature>/ports.ts`); the POS's and Shopify's in `pos/ports.ts` and
 * `shopify/ports.ts`; the stores' in `store/ports.ts`. Adapters (shared/adapters/) implement them;
 * domain tests use the fakes in tests/support/.
 */

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

export interface AdminAlerts {
  /** Logs, counts and emails an alert to the shop's admins. Never throws. */
  raise(kind: AlertKind, summary: string, details: Record<string, unknown>): Promise<void>;
}

export type AlertKind = "needs_review" | "compensation_failed" | "coupon_record_not_saved" | "email_not_sent";

/** Starts (or finds, by execution name) a saga run for `input`; returns the execution ARN. */
export interface SagaStarter<Input> {
  start(input: Input): Promise<string>;
}
