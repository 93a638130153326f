/**
 * What the service stores, one zod schema beside each inferred type. Items are parsed on read, so
 * a malformed item fails loudly at the repository instead of deep inside a saga step.
 */
import { z } from "zod";
import { issuedRewardSchema } from "../rewards/model";

const instant = z.iso.datetime();
const shopDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, "expected YYYY-MM-DD");
const shopifyCustomerId = z.string().regex(/^\d+$/, "expected a Shopify numeric customer id");

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

/**
 * What the service last learned of a customer's POS balance: at most `atMost` points at `at`, from
 * a balance check, a declined deduction (fewer than its points) or a completed conversion.
 */
export const knownBalanceSchema = z.object({
  atMost: z.number().int(),
  at: instant,
  source: z.enum(["balance_check", "deduction_declined", "conversion"]),
});
export type KnownBalance = z.infer<typeof knownBalanceSchema>;

export const conversionRecordSchema = z.object({
  conversionId: z.string().min(1),
  customerId: shopifyCustomerId,
  customerGid: z.string().min(1),
  memberNumber: z.string().min(1),
  posCustomerId: z.string().min(1).optional(),
  points: z.number().int().positive(),
  amount: z.number().nonnegative(),
  currency: z.string().length(3),
  /** Deterministic coupon code derived from the conversion id. */
  code: z.string().min(1),
  /** The coupon's validity, fixed at reservation so every step (and a replay) agrees on it. */
  startsAt: instant,
  expiresAt: instant,
  status: conversionStatusSchema,
  /** The reward rule converted by, when not a plain points conversion. */
  rewardId: z.string().optional(),
  /** The rule as it was at reservation: the coupon every step and a replay build. */
  reward: issuedRewardSchema.optional(),
  /**
   * Set at reservation when the balance the service learned moments before did not cover the
   * points: the saga reads the balance before it creates the coupon.
   */
  checkBalanceFirst: knownBalanceSchema.optional(),
  idempotencyKey: z.string().min(1),
  requestHash: z.string().min(1),
  executionArn: z.string().optional(),
  discountId: z.string().optional(),
  transactionHeadIds: z.array(z.string()).optional(),
  balanceBefore: z.number().int().optional(),
  balanceAfter: z.number().int().optional(),
  failure: z.object({ code: z.string(), detail: z.string() }).optional(),
  reviewReason: z.string().optional(),
  /**
   * True while a parked conversion's Shopify code could not be deactivated: the code may still be
   * used although its points may not have been taken. The reconciler keeps trying and sets false.
   */
  couponLive: z.boolean().optional(),
  /** Set when staff resolved a `needs_review` conversion: who (email, else token subject), when, what they checked. */
  resolvedBy: z.string().min(1).optional(),
  resolvedAt: instant.optional(),
  resolutionNote: z.string().optional(),
  deductionStartedAt: instant.optional(),
  metafieldSaved: z.boolean().optional(),
  /** Set once the points went back to the daily allowance, so a retried release cannot refund twice. */
  dailyRefunded: z.boolean().optional(),
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
  code: z
    .string()
    .min(1)
    .refine((code) => code === code.toUpperCase(), "coupon codes are stored upper-case"),
  conversionId: z.string().min(1),
  customerId: shopifyCustomerId,
  customerGid: z.string().min(1),
  discountId: z.string().min(1),
  amount: z.number().nonnegative(),
  currency: z.string().length(3),
  pointsUsed: z.number().int().positive(),
  type: z.string().min(1),
  /** The reward rule the coupon was issued by; absent for a plain points conversion. */
  rewardId: z.string().optional(),
  status: couponStatusSchema,
  startsAt: instant,
  expiresAt: instant,
  createdAt: instant,
  updatedAt: instant,
  usedAt: instant.optional(),
  orderId: z.string().optional(),
  cancelledAt: instant.optional(),
  cancelledBy: z.string().optional(),
  cancelReason: z.string().optional(),
  cancelNote: z.string().optional(),
  refundTransactionHeadIds: z.array(z.string()).optional(),
});
export type CouponRecord = z.infer<typeof couponRecordSchema>;

// ---- audit trail ----

export const auditSubjectSchema = z.object({
  type: z.enum(["conversion", "coupon", "customer", "reward"]),
  id: z.string().min(1),
});
export type AuditSubject = z.infer<typeof auditSubjectSchema>;

export const auditActorSchema = z.object({
  kind: z.enum(["customer", "admin", "system"]),
  /** Customer id, admin user (token subject) or the system component, e.g. `convert-points/deduct`. */
  id: z.string().min(1),
});
export type AuditActor = z.infer<typeof auditActorSchema>;

export const auditOutcomeSchema = z.enum(["succeeded", "failed", "unknown", "skipped"]);
export type AuditOutcome = z.infer<typeof auditOutcomeSchema>;

export const auditEventSchema = z.object({
  eventId: z.string().min(1),
  subject: auditSubjectSchema,
  /** Other subjects the same event was recorded under (e.g. the coupon of a conversion). */
  relatedSubjects: z.array(auditSubjectSchema).optional(),
  /** Dotted name, e.g. `conversion.reserved`, `coupon.created`, `points.deducted`. */
  type: z.string().min(1),
  actor: auditActorSchema,
  outcome: auditOutcomeSchema,
  detail: z.string().optional(),
  /** Small structured facts (points, amounts, error codes) for operators. */
  data: z.record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.null()])).optional(),
  externalIds: z
    .object({
      shopifyDiscountId: z.string().optional(),
      smaregiTransactionHeadIds: z.array(z.string()).optional(),
      executionArn: z.string().optional(),
    })
    .optional(),
  at: instant,
});
export type AuditEvent = z.infer<typeof auditEventSchema>;
