/**
 * What the conversion saga needs from the outside world. The Smaregi, Shopify, DynamoDB and SES
 * adapters implement these; domain tests use in-memory fakes.
 */

export interface PosMember {
  customerId: string;
  rank?: string | null;
}

export interface PosPointTransaction {
  transactionHeadId: string;
  division: string;
  /** ISO instant. */
  at: string;
  /** Signed change to the balance. */
  points: number;
}

export interface PointsPos {
  findMember(memberNumber: string): Promise<PosMember>;
  getBalance(customerId: string): Promise<{ points: number; expiresOn: string | null }>;
  addPoints(customerId: string, delta: number): Promise<{ balance: number; transactionHeadIds: string[] }>;
  listPointTransactions(
    customerId: string,
    options: { divisions?: string[]; since?: Date; until?: Date; limit?: number },
  ): Promise<PosPointTransaction[]>;
}

export interface FixedAmountCouponSpec {
  code: string;
  title: string;
  /** Must appear in the title: proves an existing code belongs to this conversion. */
  marker: string;
  customerGid: string;
  amount: number;
  currency: string;
  startsAt: string;
  endsAt: string;
}

export interface DiscountCodes {
  createFixedAmountCoupon(spec: FixedAmountCouponSpec): Promise<{ discountId: string; adopted: boolean }>;
  /** Deletes the code if it exists and belongs to `marker`; true when something was deleted. */
  deleteCouponOfConversion(code: string, marker: string): Promise<boolean>;
  /** Deactivates the code if it exists and belongs to `marker`; returns its id when found. */
  deactivateCouponOfConversion(code: string, marker: string): Promise<string | undefined>;
}

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
}

export interface CustomerCouponRecords {
  /** Adds or replaces the entry of this code in the customer's metafield record. */
  upsert(customerGid: string, entry: CouponRecordEntry): Promise<void>;
}

export interface AdminAlerts {
  /** Logs, counts and emails an alert to the shop's admins. Never throws. */
  raise(kind: AlertKind, summary: string, details: Record<string, unknown>): Promise<void>;
}

export type AlertKind = "needs_review" | "compensation_failed" | "coupon_record_not_saved" | "email_not_sent";
