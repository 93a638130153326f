import * as z from "zod/mini";
import type { ApiOperation } from "../api/contract";
import { customerIdSchema } from "../auth/shopify-ids";
import { resolutionAnswerSchema } from "../conversion/resolution-records";
import { conversionIdSchema, couponCodeSchema } from "../conversion/rules";
import {
  adjustmentIdSchema,
  adjustmentReasonSchema,
  adjustmentResolutionAnswerSchema,
  adjustmentStatusSchema,
} from "./adjustment-records";
import {
  adjustmentListQuerySchema,
  adjustmentResolutionBodySchema,
  conversionListQuerySchema,
  couponSearchQuerySchema,
  pointAdjustmentBodySchema,
  reviewResolutionBodySchema,
} from "./api";

/** The admin API's documentation: its answers and operations, for the OpenAPI document (not for the handlers). */

const auditEventSchema = z.object({
  eventId: z.string(),
  type: z.string(),
  at: z.string(),
  actor: z.object({ kind: z.string(), id: z.string() }),
  outcome: z.string(),
  detail: z.optional(z.string()),
  data: z.optional(z.record(z.string(), z.unknown())),
  externalIds: z.optional(z.record(z.string(), z.unknown())),
});
const adminCouponSchema = z.looseObject({
  code: z.string(),
  status: z.string().check(z.describe("Now: an active coupon past expiresAt reads expired")),
  storedStatus: z.string(),
  customerId: z.string(),
  conversionId: z.string(),
  amount: z.number(),
  pointsUsed: z.number(),
  expiresAt: z.string(),
  createdAt: z.string(),
});
const executionSchema = z.object({ name: z.string(), arn: z.nullable(z.string()) });
const inspectionSchema = z.object({
  coupon: z.nullable(adminCouponSchema),
  conversion: z.nullable(z.record(z.string(), z.unknown())),
  execution: executionSchema,
  trail: z.array(auditEventSchema).check(z.describe("Coupon and conversion events, oldest first")),
});
const adjustmentViewSchema = z.object({
  adjustmentId: z.string(),
  status: adjustmentStatusSchema,
  customerId: z.string(),
  points: z.number().check(z.int()),
  reason: adjustmentReasonSchema,
  note: z.optional(z.string()),
  balanceAfter: z.optional(z.number().check(z.int())),
  transactionHeadIds: z.optional(z.array(z.string())),
  reviewReason: z.optional(z.string()),
  requestedBy: z.string(),
  createdAt: z.string(),
});

const readProblems = {
  400: ["invalid_request", "invalid_cursor"],
  401: ["unauthenticated"],
  403: ["forbidden"],
};

export const adminOperations: readonly ApiOperation[] = [
  {
    method: "GET",
    path: "/v1/admin/coupons",
    summary: "Search coupons, newest first",
    description: "By customer or code (case-insensitive), filtered by status; paginated with nextCursor.",
    tag: "admin",
    security: "admin",
    query: couponSearchQuerySchema,
    responses: {
      200: {
        description: "A page of coupons",
        schema: z.object({ coupons: z.array(adminCouponSchema), nextCursor: z.optional(z.string()) }),
      },
    },
    problems: readProblems,
  },
  {
    method: "GET",
    path: "/v1/admin/coupons/{code}",
    summary: "A coupon with its conversion, audit trail and saga execution",
    tag: "admin",
    security: "admin",
    pathParameters: { code: couponCodeSchema.check(z.describe("The coupon code, any case")) },
    responses: { 200: { description: "The coupon", schema: inspectionSchema } },
    problems: { ...readProblems, 404: ["coupon_not_found"] },
  },
  {
    method: "GET",
    path: "/v1/admin/conversions",
    summary: "Conversions of one status, newest first (default: the needs_review queue)",
    tag: "admin",
    security: "admin",
    query: conversionListQuerySchema,
    responses: {
      200: {
        description: "A page of conversions",
        schema: z.object({
          conversions: z.array(z.record(z.string(), z.unknown())),
          nextCursor: z.optional(z.string()),
        }),
      },
    },
    problems: readProblems,
  },
  {
    method: "GET",
    path: "/v1/admin/conversions/{conversionId}",
    summary: "A conversion in any status (with reviewReason when parked), its coupon, trail and execution",
    tag: "admin",
    security: "admin",
    pathParameters: { conversionId: conversionIdSchema.check(z.describe("The conversion id")) },
    responses: { 200: { description: "The conversion", schema: inspectionSchema } },
    problems: { ...readProblems, 404: ["conversion_not_found"] },
  },
  {
    method: "POST",
    path: "/v1/admin/customers/{customerId}/point-adjustments",
    summary: "Add (or take away) points by hand; admin role",
    description:
      "Recorded before the POS is called and never blindly resent: the same Idempotency-Key never changes points twice. 503 adjustment_not_applied means nothing changed and the same request may be repeated after its Retry-After; a change whose answer was lost is sent again only once it can no longer land.",
    tag: "admin",
    security: "admin",
    pathParameters: {
      customerId: customerIdSchema.check(z.describe("Numeric Shopify customer id or its gid")),
    },
    headers: {
      "Idempotency-Key": {
        description: "Same key and body: same result, one change at most",
        required: true,
      },
    },
    body: pointAdjustmentBodySchema,
    responses: {
      201: { description: "Applied", schema: adjustmentViewSchema },
      202: {
        description: "Outcome unknown; parked for review, admins alerted",
        schema: adjustmentViewSchema,
      },
    },
    problems: {
      400: ["invalid_request", "invalid_json", "idempotency_key_required", "invalid_idempotency_key"],
      401: ["unauthenticated"],
      403: ["forbidden"],
      404: ["not_registered"],
      409: ["adjustment_in_progress", "adjustment_status_conflict"],
      422: ["idempotency_key_reused", "pos_declined"],
      503: ["adjustment_not_applied", "pos_unavailable"],
      504: ["pos_timeout"],
    },
  },
  {
    method: "POST",
    path: "/v1/admin/conversions/{conversionId}/resolution",
    summary: "Resolve a conversion parked as needs_review; admin role",
    description:
      "Never moves points. The POS is read first: an outcome it clearly contradicts is refused (409 resolution_contradicts_pos, nothing changed); an ambiguous or unreadable POS takes the admin's word, and the audit event says so. points_taken reactivates the code, the coupon becomes active and the conversion completed; points_not_taken deletes the code (or keeps it deactivated when it cannot be deleted), the coupon becomes cancelled and the conversion compensated. A custom reward can only be resolved as points_not_taken.",
    tag: "admin",
    security: "admin",
    pathParameters: { conversionId: conversionIdSchema.check(z.describe("The conversion id")) },
    headers: {
      "Idempotency-Key": {
        description: "Same key and body: same answer, acted on once",
        required: true,
      },
    },
    body: reviewResolutionBodySchema,
    responses: { 200: { description: "Resolved", schema: resolutionAnswerSchema } },
    problems: {
      400: ["invalid_request", "invalid_json", "idempotency_key_required", "invalid_idempotency_key"],
      401: ["unauthenticated"],
      403: ["forbidden"],
      404: ["conversion_not_found"],
      409: [
        "conversion_not_in_review",
        "resolution_contradicts_pos",
        "resolution_in_progress",
        "custom_reward_resolve_manually",
        "coupon_expired",
        "discount_not_found",
        "coupon_status_conflict",
      ],
      422: ["idempotency_key_reused"],
      502: ["shopify_rejected"],
      503: ["shopify_unavailable"],
    },
  },
  {
    method: "GET",
    path: "/v1/admin/point-adjustments",
    summary: "Point adjustments of one status, newest first (default: the needs_review queue)",
    tag: "admin",
    security: "admin",
    query: adjustmentListQuerySchema,
    responses: {
      200: {
        description: "A page of adjustments",
        schema: z.object({ adjustments: z.array(adjustmentViewSchema), nextCursor: z.optional(z.string()) }),
      },
    },
    problems: readProblems,
  },
  {
    method: "POST",
    path: "/v1/admin/customers/{customerId}/point-adjustments/{adjustmentId}/resolution",
    summary: "Resolve a point adjustment parked as needs_review; admin role",
    description:
      "Never moves points. The POS is read first: an outcome it clearly contradicts is refused (409 resolution_contradicts_pos, nothing changed); an ambiguous or unreadable POS takes the admin's word, and the audit event says so. points_changed records the adjustment as applied; points_not_changed records it as not_applied, after which the original adjustment request (same Idempotency-Key) may be repeated and reconciles before it sends.",
    tag: "admin",
    security: "admin",
    pathParameters: {
      customerId: customerIdSchema.check(z.describe("Numeric Shopify customer id or its gid")),
      adjustmentId: adjustmentIdSchema.check(z.describe("The adjustment id")),
    },
    headers: {
      "Idempotency-Key": {
        description: "Same key and body: same answer, acted on once",
        required: true,
      },
    },
    body: adjustmentResolutionBodySchema,
    responses: { 200: { description: "Resolved", schema: adjustmentResolutionAnswerSchema } },
    problems: {
      400: ["invalid_request", "invalid_json", "idempotency_key_required", "invalid_idempotency_key"],
      401: ["unauthenticated"],
      403: ["forbidden"],
      404: ["adjustment_not_found"],
      409: ["adjustment_not_in_review", "resolution_contradicts_pos", "resolution_in_progress"],
      422: ["idempotency_key_reused"],
    },
  },
];
