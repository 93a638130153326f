import * as z from "zod/mini";
import { couponCodeSchema } from "../conversion/rules";
import { rewardIdSchema } from "../rewards/coupon";
import { newRewardSchema, replaceRewardSchema, rewardRuleSchema } from "../rewards/model";
import type { ApiOperation } from "./contract";
import { catalogSchema, couponValiditySchema, rewardListSchema } from "./rewards";

/** The reward routes' operations, for the OpenAPI document (not for the handlers). */

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
