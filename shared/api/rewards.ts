import * as z from "zod/mini";
import { couponCodeSchema } from "../conversion/rules";
import {
  couponTemplateSchema,
  couponTypeSchema,
  localizedTextSchema,
  newRewardSchema,
  replaceRewardSchema,
  rewardCostSchema,
  rewardIdSchema,
  rewardRuleSchema,
} from "../rewards/model";
import { isoDateTime } from "../schema-formats";
import type { ApiOperation } from "./contract";

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

const adminProblems = { 401: ["unauthenticated"], 403: ["forbidden"] };
const saveProblems = {
  400: ["invalid_request", "invalid_json"],
  ...adminProblems,
  422: ["invalid_reward", "reward_not_expressible"],
};

export const rewardOperations: readonly ApiOperation[] = [
  {
    method: "GET",
    path: "/v1/admin/rewards",
    summary: "Every reward rule, active or not",
    tag: "rewards",
    security: "admin",
    responses: { 200: { description: "The rules", schema: rewardListSchema } },
    problems: adminProblems,
  },
  {
    method: "POST",
    path: "/v1/admin/rewards",
    summary: "Create a reward rule (loyalty-admin)",
    description:
      "Checked whole before it is stored: a property the coupon's Shopify mutation cannot express is a 422 naming it (problem members `property` and `properties`).",
    tag: "rewards",
    security: "admin",
    body: newRewardSchema,
    responses: { 201: { description: "Created", schema: rewardRuleSchema } },
    problems: { ...saveProblems, 409: ["reward_exists"] },
  },
  {
    method: "GET",
    path: "/v1/admin/rewards/{rewardId}",
    summary: "One reward rule",
    tag: "rewards",
    security: "admin",
    pathParameters: { rewardId: rewardIdSchema.check(z.describe("The rule's id")) },
    responses: { 200: { description: "The rule", schema: rewardRuleSchema } },
    problems: { ...adminProblems, 404: ["reward_not_found"] },
  },
  {
    method: "PUT",
    path: "/v1/admin/rewards/{rewardId}",
    summary: "Replace a reward rule; `active: false` deactivates it (loyalty-admin)",
    description:
      "Send `version` (from the last read) to refuse the save when someone changed the rule meanwhile. Conversions already reserved keep the rule as it was.",
    tag: "rewards",
    security: "admin",
    pathParameters: { rewardId: rewardIdSchema.check(z.describe("The rule's id")) },
    body: replaceRewardSchema,
    responses: { 200: { description: "Saved", schema: rewardRuleSchema } },
    problems: { ...saveProblems, 404: ["reward_not_found"], 409: ["reward_changed"] },
  },
  {
    method: "GET",
    path: "/v1/rewards",
    summary: "The rewards offered now, with what the signed-in customer can afford",
    tag: "rewards",
    security: "customer",
    responses: { 200: { description: "The catalog, cheapest first", schema: catalogSchema } },
    problems: { 401: ["unauthenticated"], 503: ["pos_unavailable"], 504: ["pos_timeout"] },
  },
  {
    method: "GET",
    path: "/v1/me/coupons/{code}",
    summary: "Whether one of the customer's codes is valid now, and why not",
    tag: "coupons",
    security: "customer",
    pathParameters: { code: couponCodeSchema.check(z.describe("The coupon code (any case)")) },
    responses: { 200: { description: "The code's validity", schema: couponValiditySchema } },
    problems: { 401: ["unauthenticated"], 404: ["coupon_not_found"] },
  },
];
