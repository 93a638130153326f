/**
 * What a cancellation stores: one record per (coupon, Idempotency-Key), one zod schema beside each
 * inferred type. The record is the API's idempotency memory and where the saga leaves its outcome.
 */
import { createHash } from "node:crypto";
import { z } from "zod";

const instant = z.iso.datetime();

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
  cancellationId: z.string().min(1),
  code: z.string().min(1),
  idempotencyKey: z.string().min(1),
  /** Hash of what was asked (reason, note, admin): the same key with another request is refused. */
  requestHash: z.string().min(1),
  conversionId: z.string().min(1),
  customerId: z.string().min(1),
  customerGid: z.string().min(1),
  discountId: z.string().min(1),
  points: z.number().int().positive(),
  amount: z.number().nonnegative(),
  currency: z.string().length(3),
  couponStartsAt: instant,
  couponExpiresAt: instant,
  /** The admin's token subject, for the audit trail's actor. */
  actorId: z.string().min(1),
  /** How the admin appears in records (email when the token has one). */
  cancelledBy: z.string().min(1),
  reason: cancelReasonSchema,
  note: z.string().optional(),
  requestedAt: instant,
  status: cancellationStatusSchema,
  refundedPoints: z.number().int().optional(),
  balanceAfter: z.number().int().optional(),
  refundTransactionHeadIds: z.array(z.string()).optional(),
  cancelledAt: instant.optional(),
  failure: z.object({ code: z.string(), detail: z.string() }).optional(),
  reviewReason: z.string().optional(),
  /** Set when staff resolved the cancellation out of `needs_review`: who (email, else subject), when, what they checked. */
  resolvedBy: z.string().optional(),
  resolvedAt: instant.optional(),
  resolutionNote: z.string().optional(),
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
  cancellationId: z.string().optional(),
  refundStartedAt: instant.optional(),
  refundAttempts: z.number().int().nonnegative().optional(),
  refundBalanceBefore: z.number().int().optional(),
});
export type RefundGuard = z.infer<typeof refundGuardSchema>;

/** A cancellation id as `cancellationIdOf` makes it: anything else names no cancellation. */
export const cancellationIdSchema = z
  .string()
  .regex(/^[0-9A-Z_-]{1,55}-[0-9a-f]{20}$/, "a cancellation id is the coupon code, a dash and 20 hex digits");

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
