/**
 * What the service stores, one zod schema beside each inferred type. Items are parsed on read, so
 * a malformed item fails loudly at the repository instead of deep inside a saga step. The
 * conversion is in conversion-records.ts.
 */
import * as z from "zod/mini";
import { isoDateTime } from "../schema-formats";

const instant = isoDateTime();
/** The Shopify customer's numeric id, as conversions and coupons hold it. */
export const shopifyCustomerId = z.string().check(z.regex(/^\d+$/, "expected a Shopify numeric customer id"));

// ---- coupons ----

export const couponStatusSchema = z.enum([
  "active",
  "inactive",
  "cancelling",
  "used",
  "cancelled",
  "expired",
]);
export type CouponStatus = z.infer<typeof couponStatusSchema>;

export const couponRecordSchema = z.object({
  code: z.string().check(
    z.minLength(1),
    z.refine((code) => code === code.toUpperCase(), "coupon codes are stored upper-case"),
  ),
  conversionId: z.string().check(z.minLength(1)),
  customerId: shopifyCustomerId,
  customerGid: z.string().check(z.minLength(1)),
  discountId: z.string().check(z.minLength(1)),
  amount: z.number().check(z.nonnegative()),
  currency: z.string().check(z.length(3)),
  pointsUsed: z.number().check(z.int(), z.positive()),
  type: z.string().check(z.minLength(1)),
  /** The reward rule the coupon was issued by; absent for a plain points conversion. */
  rewardId: z.optional(z.string()),
  status: couponStatusSchema,
  startsAt: instant,
  expiresAt: instant,
  createdAt: instant,
  updatedAt: instant,
  usedAt: z.optional(instant),
  orderId: z.optional(z.string()),
  cancelledAt: z.optional(instant),
  cancelledBy: z.optional(z.string()),
  cancelReason: z.optional(z.string()),
  cancelNote: z.optional(z.string()),
  refundTransactionHeadIds: z.optional(z.array(z.string())),
});
export type CouponRecord = z.infer<typeof couponRecordSchema>;

// ---- audit trail ----

export const auditSubjectSchema = z.object({
  type: z.enum(["conversion", "coupon", "customer", "reward"]),
  id: z.string().check(z.minLength(1)),
});
export type AuditSubject = z.infer<typeof auditSubjectSchema>;

export const auditActorSchema = z.object({
  kind: z.enum(["customer", "admin", "system"]),
  /** Customer id, admin user (token subject) or the system component, e.g. `convert-points/deduct`. */
  id: z.string().check(z.minLength(1)),
});
export type AuditActor = z.infer<typeof auditActorSchema>;

export const auditOutcomeSchema = z.enum(["succeeded", "failed", "unknown", "skipped"]);
export type AuditOutcome = z.infer<typeof auditOutcomeSchema>;

export const auditEventSchema = z.object({
  eventId: z.string().check(z.minLength(1)),
  subject: auditSubjectSchema,
  /** Other subjects the same event was recorded under (e.g. the coupon of a conversion). */
  relatedSubjects: z.optional(z.array(auditSubjectSchema)),
  /** Dotted name, e.g. `conversion.reserved`, `coupon.created`, `points.deducted`. */
  type: z.string().check(z.minLength(1)),
  actor: auditActorSchema,
  outcome: auditOutcomeSchema,
  detail: z.optional(z.string()),
  /** Small structured facts (points, amounts, error codes) for operators. */
  data: z.optional(z.record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.null()]))),
  externalIds: z.optional(
    z.object({
      shopifyDiscountId: z.optional(z.string()),
      smaregiTransactionHeadIds: z.optional(z.array(z.string())),
      executionArn: z.optional(z.string()),
    }),
  ),
  at: instant,
});
export type AuditEvent = z.infer<typeof auditEventSchema>;
