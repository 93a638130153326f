/**
 * What the cancellation needs from the outside world, beyond the ports the conversion already
 * declares (POS ledger, discount codes, coupon records, admin alerts). The DynamoDB, SES and Step
 * Functions adapters implement these; domain tests can use in-memory fakes.
 */
import type { CouponStatus, Page, PageRequest } from "../store";
import type {
  CancellationPatch,
  CancellationRecord,
  CancellationStatus,
  NewCancellation,
  RefundGuard,
} from "./records";

export type BeginResult =
  /** The request is recorded and the coupon moved `active -> cancelling`, atomically. */
  | { outcome: "started"; cancellation: CancellationRecord }
  /** This Idempotency-Key was used for this coupon before: nothing was written. */
  | { outcome: "existing"; cancellation: CancellationRecord }
  /** The coupon was not `active` (or is gone): nothing was written. */
  | { outcome: "coupon_not_active"; couponStatus: CouponStatus | undefined };

export interface CancellationStore {
  /**
   * One transaction: records the request (unless the key was used before) and takes the coupon
   * from `active` to `cancelling`, so a second cancellation can never run beside this one.
   */
  beginCancellation(request: NewCancellation): Promise<BeginResult>;
  getCancellation(cancellationId: string): Promise<CancellationRecord | undefined>;
  /** Cancellations of one status, newest first (the reconciler looks for stuck ones). */
  listCancellationsByStatus(status: CancellationStatus, page: PageRequest): Promise<Page<CancellationRecord>>;
  /** Applies the patch only while the status is one of `expected`; otherwise `Conflict`. */
  updateCancellation(
    cancellationId: string,
    expected: readonly CancellationStatus[],
    patch: CancellationPatch,
  ): Promise<CancellationRecord>;
  /**
   * Records the start of refund attempt `attempt` on the coupon, only while this cancellation holds
   * it (`cancelling`) and exactly `attempt - 1` attempts were recorded before. False when that does
   * not hold: the caller must reconcile, never refund.
   */
  markRefundStarted(
    code: string,
    cancellationId: string,
    attempt: number,
    at: Date,
    balanceBefore: number,
  ): Promise<boolean>;
  refundGuardOf(code: string): Promise<RefundGuard | undefined>;
  /**
   * Gives the coupon back (`cancelling -> active`) after a cancellation that provably refunded
   * nothing; clears the refund guard. False when this cancellation no longer holds the coupon.
   */
  releaseCoupon(code: string, cancellationId: string): Promise<boolean>;
}

export type NoticeLocale = "en" | "ja";

export interface CouponCancelledNotice {
  to: string;
  locale: NoticeLocale;
  customerName: string | null;
  code: string;
  refundedPoints: number;
}

export interface CustomerNotices {
  /** Sends the "coupon cancelled" email; returns the provider's message id. Throws when not sent. */
  sendCouponCancelled(notice: CouponCancelledNotice): Promise<string>;
}
