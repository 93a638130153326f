/**
 * What a cancellation stores: one record per (coupon, Idempotency-Key), one zod schema beside each
 * inferred type. The record is the API's idempotency memory and where the saga leaves its outcome.
 */
import { createHash } from "node:crypto";
import * as z from "zod/mini";
import { isoDateTime } from "../schema-formats";

const instant = isoDateTime();

export const cancelReasonSchema = z.enum([
  "customer_request",
  "converted_by_mistake",
  "order_cancelled",
  "fraud",
  "other",
]);
export type CancelReason = z.infer<typeof cancelReasonSchema>;

export const cancellationStatusSchema = z.enum(["running", "cancelled", "used", "failed", "needs_review"]);
export type CancellationStatus = z.infer<typeof cancellationStatusSchema>;

export const cancellationRecordSchema = z.object({
  /** Derived from the code and the Idempotency-Key; also the saga's execution name. */
  cancellationId: z.string().check(z.minLength(1)),
  code: z.string().check(z.minLength(1)),
  idempotencyKey: z.string().check(z.minLength(1)),
  /** Hash of what was asked (reason, note, admin): the same key with another request is refused. */
  requestHash: z.string().check(z.minLength(1)),
  conversionId: z.string().check(z.minLength(1)),
  customerId: z.string().check(z.minLength(1)),
  customerGid: z.string().check(z.minLength(1)),
  discountId: z.string().check(z.minLength(1)),
  points: z.number().check(z.int(), z.positive()),
  amount: z.number().check(z.nonnegative()),
  currency: z.string().check(z.length(3)),
  couponStartsAt: instant,
  couponExpiresAt: instant,
  /** The admin's token subject, for the audit trail's actor. */
  actorId: z.string().check(z.minLength(1)),
  /** How the admin appears in records (email when the token has one). */
  cancelledBy: z.string().check(z.minLength(1)),
  reason: cancelReasonSchema,
  note: z.optional(z.string()),
  requestedAt: instant,
  status: cancellationStatusSchema,
  refundedPoints: z.optional(z.number().check(z.int())),
  balanceAfter: z.optional(z.number().check(z.int())),
  refundTransactionHeadIds: z.optional(z.array(z.string())),
  /** When TakeBackLateRefund looked for a late first refund: an addition stamped later is not this one's. */
  refundRecheckedAt: z.optional(instant),
  cancelledAt: z.optional(instant),
  failure: z.optional(z.object({ code: z.string(), detail: z.string() })),
  reviewReason: z.optional(z.string()),
  /** Set when staff resolved the cancellation out of `needs_review`: who (email, else subject), when, what they checked. */
  resolvedBy: z.optional(z.string()),
  resolvedAt: z.optional(instant),
  resolutionNote: z.optional(z.string()),
  createdAt: instant,
  updatedAt: instant,
});
export type CancellationRecord = z.infer<typeof cancellationRecordSchema>;

export type NewCancellation = Omit<CancellationRecord, "status" | "createdAt" | "updatedAt">;

export type CancellationPatch = Partial<
  Pick<
    CancellationRecord,
    | "status"
    | "refundedPoints"
    | "balanceAfter"
    | "refundTransactionHeadIds"
    | "refundRecheckedAt"
    | "cancelledAt"
    | "failure"
    | "reviewReason"
    | "resolvedBy"
    | "resolvedAt"
    | "resolutionNote"
  >
>;

/** The refund guard kept on the coupon item itself, so no path can refund one coupon twice. */
export const refundGuardSchema = z.object({
  cancellationId: z.optional(z.string()),
  refundStartedAt: z.optional(instant),
  refundAttempts: z.optional(z.number().check(z.int(), z.nonnegative())),
  refundBalanceBefore: z.optional(z.number().check(z.int())),
});
export type RefundGuard = z.infer<typeof refundGuardSchema>;

/** A cancellation id as `cancellationIdOf` makes it: anything else names no cancellation. */
export const cancellationIdSchema = z
  .string()
  .check(
    z.regex(
      /^[0-9A-Z_-]{1,55}-[0-9a-f]{20}$/,
      "a cancellation id is the coupon code, a dash and 20 hex digits",
    ),
  );

/**
 * `<CODE>-<20 hex>`: readable for operators, unique per (code, key), within the 80 characters and
 * the character set Step Functions allows for execution names.
 */
export function cancellationIdOf(code: string, idempotencyKey: string): string {
  const upper = code.toUpperCase();
  const digest = createHash("sha256").update(`${upper}\n${idempotencyKey}`).digest("hex").slice(0, 20);
  const readable = upper.replace(/[^0-9A-Z_-]/g, "_").slice(0, 55);
  return `${readable}-${digest}`;
}
