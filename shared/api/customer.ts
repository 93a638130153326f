import * as z from "zod/mini";
import { coercedNumber, isoDateTime } from "../schema-formats";

/** The customer-facing API: points, conversions, coupons. */

const isoInstant = isoDateTime({ offset: true });
const isoDate = z.string().check(z.regex(/^\d{4}-\d{2}-\d{2}$/));

export const pointsSummarySchema = z.object({
  customerId: z.string(),
  memberNumber: z.string(),
  balance: z.number().check(z.int()),
  expiresOn: z.nullable(isoDate),
  rank: z.nullable(z.string()),
  display: z.object({ balance: z.string(), expiresOn: z.nullable(z.string()), rank: z.string() }),
  history: z
    .nullable(
      z.array(
        z.object({
          date: isoDate,
          description: z.string(),
          points: z.number().check(z.int()),
          kind: z.enum(["purchase", "added", "used", "expired", "other"]),
        }),
      ),
    )
    .check(z.describe("Recent point movements, newest first; null when only the history could not be read")),
});

export const conversionBodySchema = z
  .object({
    // Plain conversion: the points. With rewardId: only for a variable reward.
    points: z.optional(z.number({ error: 'points must be a number, e.g. {"points": 500}' })),
    rewardId: z
      .optional(z.string().check(z.minLength(1), z.maxLength(64)))
      .check(z.describe("Convert by a reward of GET /v1/rewards")),
  })
  .check(
    z.refine((body) => body.points !== undefined || body.rewardId !== undefined, {
      message: 'points must be a number, e.g. {"points": 500}',
      path: ["points"],
    }),
  );

export const conversionViewSchema = z.object({
  conversionId: z.string(),
  status: z.enum(["completed", "pending", "needs_review", "failed"]),
  coupon: z.optional(
    z.object({
      code: z.string(),
      amount: z.number(),
      currency: z.string(),
      pointsUsed: z.number().check(z.int()),
      startsAt: isoInstant,
      expiresAt: isoInstant,
      type: z.optional(z.string()).check(z.describe("Conversions by reward: the coupon's type")),
      rewardId: z.optional(z.string()),
    }),
  ),
  balance: z.optional(z.object({ before: z.number().check(z.int()), after: z.number().check(z.int()) })),
  failure: z.optional(z.object({ code: z.string(), detail: z.string() })),
});

export const couponsQuerySchema = z.object({
  limit: z._default(coercedNumber().check(z.int(), z.gte(1), z.lte(100)), 20),
  cursor: z.optional(z.string().check(z.minLength(1))),
});

export const customerCouponSchema = z.object({
  code: z.string(),
  status: z.enum(["active", "inactive", "used", "cancelled", "expired", "cancelling"]),
  amount: z.number(),
  currency: z.string(),
  pointsUsed: z.number().check(z.int()),
  type: z
    .string()
    .check(z.describe("fixed_discount for points converted by amount; the reward's coupon type otherwise")),
  rewardId: z.optional(z.string()).check(z.describe("The reward rule the coupon was issued by")),
  startsAt: isoInstant,
  expiresAt: isoInstant,
  createdAt: isoInstant,
  usedAt: z.optional(isoInstant),
  cancelledAt: z.optional(isoInstant),
});

export const couponsPageSchema = z.object({
  coupons: z.array(customerCouponSchema),
  nextCursor: z.optional(z.string()),
});
