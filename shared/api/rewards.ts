import * as z from "zod/mini";
import { couponTemplateSchema, couponTypeSchema, localizedTextSchema } from "../rewards/coupon";
import { rewardCostSchema, rewardRuleSchema } from "../rewards/model";
import { isoDateTime } from "../schema-formats";

/** The reward catalog: rules for shop staff, the offer for customers, a coupon's validity. */

const isoInstant = isoDateTime({ offset: true });

export const rewardListSchema = z.object({ rewards: z.array(rewardRuleSchema) });

export const catalogRewardSchema = z.object({
  rewardId: z.string(),
  name: localizedTextSchema,
  description: localizedTextSchema,
  cost: rewardCostSchema,
  coupon: z.extend(
    z.pick(couponTemplateSchema, {
      amount: true,
      currency: true,
      percentage: true,
      minOrderValue: true,
      startDate: true,
      expiryDate: true,
      validityDays: true,
    }),
    { type: couponTypeSchema, usageLimit: z.number().check(z.int()) },
  ),
  activeUntil: z.optional(isoInstant),
  pointsRequired: z.number().check(z.int(), z.describe("The fewest points the reward can be had for")),
  affordable: z.boolean().check(z.describe("The customer's balance covers pointsRequired now")),
  pointsMissing: z.number().check(z.int(), z.describe("Points still needed; 0 when affordable")),
});

export const catalogSchema = z.object({
  balance: z.number().check(z.int(), z.describe("The POS balance the answer was computed from")),
  registered: z.boolean().check(z.describe("False when the customer has no member record at the store")),
  rewards: z.array(catalogRewardSchema),
});

export const couponValiditySchema = z.object({
  code: z.string(),
  valid: z.boolean(),
  reason: z
    .optional(z.enum(["expired", "used", "cancelled", "not_started", "suspended"]))
    .check(z.describe("Why not valid; suspended: held while staff check its conversion")),
  type: z.string(),
  rewardId: z.optional(z.string()),
  startsAt: isoInstant,
  expiresAt: isoInstant,
  usedAt: z.optional(isoInstant),
  cancelledAt: z.optional(isoInstant),
});
