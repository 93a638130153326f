/**
 * What the domain needs from storage. Domain code and its tests depend on these interfaces; the
 * DynamoDB implementations live in `./dynamodb`.
 */
import type { ConversionRecord, ConversionStatus } from "./conversion-records";
import type {
  AuditActor,
  AuditEvent,
  AuditOutcome,
  AuditSubject,
  CouponRecord,
  CouponStatus,
} from "./records";

export interface PageRequest {
  /** 1 to 100. */
  limit: number;
  /** Opaque `nextCursor` of the previous page. */
  cursor?: string;
}

export interface Page<T> {
  items: T[];
  /** Absent on the last page. May lead to an empty page when the previous one ended exactly full. */
  nextCursor?: string;
}

// ---- conversions ----

export type NewConversion = Pick<
  ConversionRecord,
  | "conversionId"
  | "customerId"
  | "customerGid"
  | "memberNumber"
  | "posCustomerId"
  | "points"
  | "amount"
  | "currency"
  | "code"
  | "startsAt"
  | "expiresAt"
  | "idempotencyKey"
  | "requestHash"
  | "shopDate"
  | "rewardId"
  | "reward"
>;

export type ReservationResult =
  /** Lease taken, daily points counted, record `reserved`. */
  | { outcome: "reserved"; conversion: ConversionRecord }
  /**
   * The idempotency key was used before; nothing was written. Same `requestHash` -> replay the
   * existing conversion; different -> answer 422 `idempotency_key_reused`.
   */
  | { outcome: "existing"; conversion: ConversionRecord };

/** Fields a saga step may set; identity, amounts and timestamps never change after reservation. */
export type ConversionPatch = Partial<
  Pick<
    ConversionRecord,
    | "status"
    | "rewardId"
    | "posCustomerId"
    | "executionArn"
    | "discountId"
    | "transactionHeadIds"
    | "balanceBefore"
    | "balanceAfter"
    | "failure"
    | "reviewReason"
    | "couponLive"
    | "deductionStartedAt"
    | "deductionRecheckedAt"
    | "metafieldSaved"
  >
>;

export interface ReleaseOptions {
  /** Give the points back to the day's allowance: only when no points were deducted. */
  refundDailyPoints?: { shopDate: string; points: number };
}

export interface ReleaseResult {
  /** False when the lease was already released (or had expired and been taken by a later conversion). */
  leaseReleased: boolean;
  /** False when no refund was asked for or an earlier call already made it. */
  dailyPointsRefunded: boolean;
}

export interface FirstCompletion {
  conversionId: string;
  customerId: string;
  coupon: NewCoupon;
  patch: ConversionPatch & { status: "completed" };
  /** The trail's entries of the completion, recorded in the same write. */
  trail: readonly NewAuditEvent[];
}

/**
 * A conversion's first completion, all or nothing in one write: the coupon's record (new), the
 * conversion `completed` with the patch (from `reserved`), the customer's lease freed (when it
 * is still this conversion's) and the completion's trail entries. Apart from the conversion store
 * so that only the steps that complete a conversion carry it.
 */
/** The deduction's own writes: its one attempt's start mark, and the conversion's first completion. */
export interface ConversionCompletion {
  /**
   * Records the start of the conversion's one deduction attempt, only while it is `reserved` and
   * no attempt was recorded before. False when one was: the caller must reconcile, not deduct.
   */
  markDeductionStarted(conversionId: string, at: Date): Promise<boolean>;
  /**
   * False, with nothing written, when any part would not apply as on a first completion: the
   * coupon already stored, the conversion no longer `reserved`, the lease taken by a later
   * conversion, a trail entry already recorded. The caller then writes them one by one
   * (`updateConversion`, `putCoupon`, `releaseReservation`, `appendAuditEvent`), each safe to repeat.
   */
  completeConversion(completion: FirstCompletion): Promise<boolean>;
}

export interface ConversionStore {
  /**
   * The saga's first step, all or nothing: idempotency record, `reserved` conversion, per-customer
   * lease and the day's points total. Throws `Conflict("conversion_in_progress")` while another
   * conversion holds the lease and `DailyLimitExceeded` when the day's limit would be passed.
   */
  reserveConversion(conversion: NewConversion): Promise<ReservationResult>;
  getConversion(conversionId: string): Promise<ConversionRecord | undefined>;
  findByIdempotencyKey(customerId: string, idempotencyKey: string): Promise<ConversionRecord | undefined>;
  /** Newest first. */
  listConversionsByCustomer(customerId: string, page: PageRequest): Promise<Page<ConversionRecord>>;
  /** Newest first, e.g. the `needs_review` queue. */
  listConversionsByStatus(status: ConversionStatus, page: PageRequest): Promise<Page<ConversionRecord>>;
  /**
   * Applies the patch only while the status is one of `expectedStatuses`; otherwise throws
   * `ConversionStatusConflict` (or `NotFound`). Returns the updated record.
   */
  updateConversion(
    conversionId: string,
    expectedStatuses: readonly ConversionStatus[],
    patch: ConversionPatch,
  ): Promise<ConversionRecord>;
  /** Idempotent: safe to call again after a retry or a partial failure. */
  releaseReservation(
    conversionId: string,
    customerId: string,
    options?: ReleaseOptions,
  ): Promise<ReleaseResult>;
}

// ---- coupons ----

export type NewCoupon = Omit<CouponRecord, "createdAt" | "updatedAt">;

export type CouponPatch = Partial<
  Pick<
    CouponRecord,
    | "status"
    | "usedAt"
    | "orderId"
    | "cancelledAt"
    | "cancelledBy"
    | "cancelReason"
    | "cancelNote"
    | "refundTransactionHeadIds"
  >
>;

export interface CouponStore {
  /**
   * Writes the coupon once. Writing again for the same conversion returns the stored record
   * unchanged (`created: false`); the code belonging to another conversion is a `Conflict`.
   */
  putCoupon(coupon: NewCoupon): Promise<{ created: boolean; coupon: CouponRecord }>;
  /** Case-insensitive. */
  getCoupon(code: string): Promise<CouponRecord | undefined>;
  /** Newest first. */
  listCouponsByCustomer(customerId: string, page: PageRequest): Promise<Page<CouponRecord>>;
  /** Conditional like `updateConversion`: throws `CouponStatusConflict` (or `NotFound`). */
  updateCouponStatus(
    code: string,
    expectedStatuses: readonly CouponStatus[],
    patch: CouponPatch,
  ): Promise<CouponRecord>;
}

// ---- audit trail ----

export interface NewAuditEvent {
  subject: AuditSubject;
  /** The same event is also recorded under these subjects, atomically. */
  relatedSubjects?: AuditSubject[];
  type: string;
  actor: AuditActor;
  outcome: AuditOutcome;
  detail?: string;
  data?: AuditEvent["data"];
  externalIds?: AuditEvent["externalIds"];
  /** ISO instant; defaults to now. */
  at?: string;
  /**
   * Defaults to a random id. A retried step that passes a deterministic id gets
   * `DuplicateAuditEvent` instead of a second copy of its event, whatever its `at`.
   */
  eventId?: string;
}

export interface AuditTrail {
  /** Append-only: throws `DuplicateAuditEvent` if the event exists under any of its subjects. */
  appendAuditEvent(event: NewAuditEvent): Promise<AuditEvent>;
  /** Oldest first. */
  listAuditEvents(subject: AuditSubject): Promise<AuditEvent[]>;
}
