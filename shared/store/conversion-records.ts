/**
 * The stored conversion, its zod schema beside its inferred type (see records.ts). A module of its
 * own: the conversion carries the reward rule it was made by, whose schemas a reader of coupons or
 * the audit trail has no use for.
 */
import * as z from "zod/mini";
import { issuedRewardSchema } from "../rewards/coupon";
import { isoDateTime } from "../schema-formats";
import { shopifyCustomerId } from "./records";

const instant = isoDateTime();
const shopDate = z.string().check(z.regex(/^\d{4}-\d{2}-\d{2}$/, "expected YYYY-MM-DD"));

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
  /**
   * When ReturnLateDeduction last looked for this conversion's lost deduction after its compensation:
   * a subtraction stamped later is not taken for this conversion's.
   */
  deductionRecheckedAt: z.optional(instant),
  metafieldSaved: z.optional(z.boolean()),
  /** Set once the points went back to the daily allowance, so a retried release cannot refund twice. */
  dailyRefunded: z.optional(z.boolean()),
  /** Shop-local day (YYYY-MM-DD) whose daily limit the points count against. */
  shopDate,
  createdAt: instant,
  updatedAt: instant,
});
export type ConversionRecord = z.infer<typeof conversionRecordSchema>;
