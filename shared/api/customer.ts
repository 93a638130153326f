import * as z from "zod/mini";
import { customerIdSchema } from "../auth/shopify-ids";
import { conversionIdSchema } from "../conversion/rules";
import { coercedNumber, isoDateTime } from "../schema-formats";
import type { ApiOperation } from "./contract";

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

const pointsResponses = { 200: { description: "The live balance", schema: pointsSummarySchema } };
const pointsProblems = {
  401: ["unauthenticated"],
  404: ["not_registered"],
  503: ["pos_unavailable"],
  504: ["pos_timeout"],
};

export const customerOperations: readonly ApiOperation[] = [
  {
    method: "GET",
    path: "/health",
    summary: "Liveness",
    tag: "operations",
    security: "none",
    responses: { 200: { description: "The API answers" } },
  },
  {
    method: "GET",
    path: "/v1/me/points",
    summary: "The signed-in customer's store points",
    description:
      "Balance, expiry, rank and recent history from the POS; display strings follow Accept-Language (en, ja).",
    tag: "points",
    security: "customer",
    responses: pointsResponses,
    problems: pointsProblems,
  },
  {
    method: "GET",
    path: "/v1/customers/{customerId}/points",
    summary: "A customer's store points (only the signed-in customer's own)",
    tag: "points",
    security: "customer",
    pathParameters: {
      customerId: customerIdSchema.check(z.describe("Numeric Shopify customer id or its gid")),
    },
    responses: pointsResponses,
    problems: { ...pointsProblems, 400: ["invalid_customer_id"], 403: ["forbidden"] },
  },
  {
    method: "POST",
    path: "/v1/me/conversions",
    summary: "Convert points into a one-time discount code",
    description:
      'Answers 201 once the code is live and the points are taken, or 202 with a status URL when that takes longer than the wait budget. Body: {"points": N} for a fixed amount off, {"rewardId": "..."} for a reward of the catalog, or {"rewardId": "...", "points": N} for a variable one.',
    tag: "conversions",
    security: "customer",
    headers: {
      "Idempotency-Key": {
        description: "Same key and body: same result, never a second deduction",
        required: true,
      },
    },
    body: conversionBodySchema,
    responses: {
      201: { description: "Converted", schema: conversionViewSchema },
      202: {
        description: "Still running (or parked for review); poll the Location",
        schema: conversionViewSchema,
      },
    },
    problems: {
      400: ["invalid_points", "invalid_json", "idempotency_key_required", "invalid_idempotency_key"],
      401: ["unauthenticated"],
      404: ["not_registered", "reward_not_found"],
      409: ["conversion_in_progress"],
      422: [
        "insufficient_points",
        "daily_limit_exceeded",
        "idempotency_key_reused",
        "points_out_of_range",
        "reward_unavailable",
      ],
      502: ["shopify_rejected", "conversion_failed"],
      503: ["pos_unavailable", "shopify_unavailable"],
    },
  },
  {
    method: "GET",
    path: "/v1/me/conversions/{conversionId}",
    summary: "Where a conversion stands",
    tag: "conversions",
    security: "customer",
    pathParameters: { conversionId: conversionIdSchema.check(z.describe("From the 201/202 answer")) },
    responses: { 200: { description: "The conversion", schema: conversionViewSchema } },
    problems: { 401: ["unauthenticated"], 404: ["conversion_not_found"] },
  },
  {
    method: "GET",
    path: "/v1/me/coupons",
    summary: "The signed-in customer's coupons, newest first",
    tag: "coupons",
    security: "customer",
    query: couponsQuerySchema,
    responses: { 200: { description: "A page of coupons", schema: couponsPageSchema } },
    problems: { 400: ["invalid_request"], 401: ["unauthenticated"] },
  },
];
