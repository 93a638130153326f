import * as z from "zod/mini";
import { couponTemplateSchema, instant, localizedTextSchema, rewardIdSchema } from "./coupon";

/**
 * The reward catalog's rules: what a customer pays in points and which coupon they get (the
 * coupon's own model is in `coupon.ts`). One zod schema beside each inferred type; the admin API
 * parses with the input schemas and the store parses stored items with the record schema.
 */

export const rewardCostSchema = z.discriminatedUnion("kind", [
  z.object({ kind: z.literal("fixed"), points: z.number().check(z.int(), z.positive(), z.lte(1_000_000)) }),
  z.object({
    kind: z.literal("variable"),
    /** Points that buy one unit of the coupon's currency (1 = 1 point per yen). */
    pointsPerUnit: z.number().check(z.int(), z.positive(), z.lte(10_000)),
    minPoints: z.number().check(z.int(), z.positive()),
    maxPoints: z.number().check(z.int(), z.positive()),
  }),
]);
export type RewardCost = z.infer<typeof rewardCostSchema>;

/** What an admin sends to create (POST) or replace (PUT) a rule. */
export const rewardInputSchema = z.object({
  name: localizedTextSchema,
  description: localizedTextSchema,
  cost: rewardCostSchema,
  /** Offered from / until these instants; open-ended when absent. */
  activeFrom: z.optional(instant),
  activeUntil: z.optional(instant),
  /** False deactivates the rule: it leaves the catalog and converts no more. */
  active: z._default(z.boolean(), true),
  coupon: couponTemplateSchema,
});
export type RewardInput = z.infer<typeof rewardInputSchema>;

export const newRewardSchema = z.extend(rewardInputSchema, { rewardId: z.optional(rewardIdSchema) });

export const replaceRewardSchema = z.extend(rewardInputSchema, {
  /** The version read before editing; a concurrent change makes the save a 409. */
  version: z.optional(z.number().check(z.int(), z.positive())),
});

export const rewardRuleSchema = z.extend(rewardInputSchema, {
  rewardId: rewardIdSchema,
  active: z.boolean(),
  version: z.number().check(z.int(), z.positive()),
  createdAt: instant,
  updatedAt: instant,
  createdBy: z.string().check(z.minLength(1)),
  updatedBy: z.string().check(z.minLength(1)),
});
export type RewardRule = z.infer<typeof rewardRuleSchema>;
