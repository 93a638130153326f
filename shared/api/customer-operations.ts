import * as z from "zod/mini";
import { customerIdSchema } from "../auth/shopify-ids";
import { conversionIdSchema } from "../conversion/rules";
import type { ApiOperation } from "./contract";
import {
  conversionBodySchema,
  conversionViewSchema,
  couponsPageSchema,
  couponsQuerySchema,
  pointsSummarySchema,
} from "./customer";

/** The customer routes' operations, for the OpenAPI document (not for the handlers). */

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
