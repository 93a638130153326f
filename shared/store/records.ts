/**
 * What the service stores, one zod schema beside each inferred type. Items are parsed on read, so
 * a malformed item fails loudly at the repository instead of deep inside a saga step.
 */
import * as z from "zod/mini";
import { issuedRewardSchema } from "../rewards/model";
import { isoDateTime } from "../schema-formats";

const instant = isoDateTime();
const shopDate = z.string().check(z.regex(/^\d{4}-\d{2}-\d{2}$/, "expected YYYY-MM-DD"));
const shopifyCustomerId = z.string().check(z.regex(/^\d+$/, "expected a Shopify numeric customer id"));

// ---- conversions ----

export const conversionStatusSchema = z.enum([
  "reserved",
  "completed",
  "failed",
  "compensated",
  "needs_review",
]);
export type ConversionStatus = z.infer<typeof conversionStatusSchema>;

/**
 * A conversion in one of these states is finished: no late or retried step may change its status.
 * `needs_review` is not among them, because an operator resolves it to one of these.
 */
export const terminalConversionStatuses: readonly ConversionStatus[] = ["completed", "failed", "compensated"];

export const conversionRecordSchema = z.object({
  conversionId: z.string().check(z.minLength(1)),
  customerId: shopifyCustomerId,
  customerGid: z.string().check(z.minLength(1)),
  memberNumber: z.string().check(z.minLength(1)),
  posCustomerId: z.optional(z.string().check(z.minLength(1))),
  points: z.number().check(z.int(), z.positive()),
  amount: z.number().check(z.nonnegative()),
  currency: z.string().check(z.length(3)),
  /** Deterministic coupon code derived from the conversion id. */
  code: z.string().check(z.minLength(1)),
  /** The coupon's validity, fixed at reservation so every step (and a replay) agrees on it. */
  startsAt: instant,
  expiresAt: instant,
  status: conversionStatusSchema,
  /** The reward rule converted by, when not a plain points conversion. */
  rewardId: z.optional(z.string()),
  /** The rule as it was at reservation: the coupon every step and a replay build. */
  reward: z.optional(issuedRewardSchema),
  idempotencyKey: z.string().check(z.minLength(1)),
  requestHash: z.string().check(z.minLength(1)),
  executionArn: z.optional(z.string()),
  discountId: z.optional(z.string()),
  transactionHeadIds: z.optional(z.array(z.string())),
  balanceBefore: z.optional(z.number().check(z.int())),
  balanceAfter: z.optional(z.number().check(z.int())),
  failure: z.optional(z.object({ code: z.string(), detail: z.string() })),
  reviewReason: z.optional(z.string()),
  /**
   * True while a parked conversion's Shopify code could not be deactivated: the code may still be
   * used although its points may not have been taken. The reconciler keeps trying and sets false.
   */
  couponLive: z.optional(z.boolean()),
  /** Set when staff resolved a `needs_review` conversion: who (email, else token subject), when, what they checked. */
  resolvedBy: z.optional(z.string().check(z.minLength(1))),
  resolvedAt: z.optional(instant),
  resolutionNote: z.optional(z.string()),
  deductionStartedAt: z.optional(instant),
  metafieldSaved: z.optional(z.boolean()),
  /** Set once the points went back to the daily allowance, so a retried release cannot refund twice. */
  dailyRefunded: z.optional(z.boolean()),
  /** Shop-local day (YYYY-MM-DD) whose daily limit the points count against. */
  shopDate,
  createdAt: instant,
  updatedAt: instant,
});
export type ConversionRecord = z.infer<typeof conversionRecordSchema>;

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
