import * as z from "zod/mini";
import type { ApiOperation } from "../api/contract";
import { couponCodeSchema } from "../conversion/rules";
import { cancelBodySchema, cancellationListQuerySchema, cancellationResolutionBodySchema } from "./api";
import { cancellationIdSchema, cancelReasonSchema } from "./records";
import { cancellationResolutionAnswerSchema } from "./resolution-records";

/** The cancellation API's answers and operations, for the OpenAPI document (not for the handlers). */

const cancellationViewSchema = z.object({
  status: z.enum(["cancelled", "pending", "needs_review"]),
  code: z.string(),
  cancellationId: z.string().check(z.describe("Also the name of the cancellation saga's execution")),
  refundedPoints: z.optional(z.number().check(z.int())),
  balanceAfter: z.optional(z.number().check(z.int())).check(z.describe("The POS balance after the refund")),
  cancelledAt: z.optional(z.string()),
  cancelledBy: z
    .optional(z.string())
    .check(z.describe("The admin's email from the token (else its subject)")),
  reason: z.optional(cancelReasonSchema),
  note: z.optional(z.string()),
});

export const cancellationOperations: readonly ApiOperation[] = [
  {
    method: "POST",
    path: "/v1/admin/coupons/{code}/cancel",
    summary: "Cancel an unused coupon and give its points back; admin role",
    description:
      "Deactivates the code, re-checks that no checkout used it, adds the points back on the POS (never blindly resent), records who and why, and emails the customer. The same Idempotency-Key answers the same result and never refunds twice.",
    tag: "admin",
    security: "admin",
    pathParameters: { code: couponCodeSchema.check(z.describe("The coupon code, any case")) },
    headers: {
      "Idempotency-Key": {
        description: "Same key and body: same result, one refund at most",
        required: true,
      },
    },
    body: cancelBodySchema,
    responses: {
      200: { description: "Cancelled; the points are back", schema: cancellationViewSchema },
      202: {
        description:
          "Still running after the wait budget (pending), or parked for an operator (needs_review)",
        schema: cancellationViewSchema,
      },
    },
    problems: {
      400: [
        "invalid_cancellation",
        "invalid_code",
        "invalid_json",
        "idempotency_key_required",
        "invalid_idempotency_key",
      ],
      401: ["unauthenticated"],
      403: ["forbidden"],
      404: ["coupon_not_found"],
      409: [
        "already_used",
        "already_cancelled",
        "cancellation_in_progress",
        "custom_reward_not_cancellable",
        "coupon_not_active",
        "coupon_expired",
        "cancellation_conflict",
        "discount_not_found",
        "discount_still_active",
      ],
      422: ["idempotency_key_reused", "not_registered"],
      502: ["shopify_rejected", "cancellation_failed"],
      503: ["pos_unavailable", "shopify_unavailable"],
    },
  },
  {
    method: "GET",
    path: "/v1/admin/cancellations",
    summary: "Cancellations of one status, newest first (default: the needs_review queue)",
    description:
      "Statuses: running (the saga is at work), cancelled, used (a checkout won the race), failed (given back, nothing refunded), needs_review (an operator must decide; see reviewReason).",
    tag: "admin",
    security: "admin",
    query: cancellationListQuerySchema,
    responses: {
      200: {
        description: "A page of cancellations",
        schema: z.object({
          cancellations: z.array(z.record(z.string(), z.unknown())),
          nextCursor: z.optional(z.string()),
        }),
      },
    },
    problems: { 400: ["invalid_request", "invalid_cursor"], 401: ["unauthenticated"], 403: ["forbidden"] },
  },
  {
    method: "POST",
    path: "/v1/admin/cancellations/{cancellationId}/resolution",
    summary: "Resolve a cancellation parked as needs_review; admin role",
    description:
      "Never moves points. The POS is read first: an outcome it clearly contradicts is refused (409 resolution_contradicts_pos, nothing changed); an ambiguous or unreadable POS takes the admin's word, and the audit event says so. points_refunded: the coupon and the cancellation become cancelled, the customer's coupon record is saved and the customer emailed (best effort; a failed email alerts the admins). points_not_refunded: the code is reactivated when unused and not past its end, the coupon becomes active (used if a checkout redeemed it meanwhile) and the cancellation failed, so the coupon can be cancelled again.",
    tag: "admin",
    security: "admin",
    pathParameters: {
      cancellationId: cancellationIdSchema.check(
        z.describe("The cancellation id (as the review queue and the alert name it)"),
      ),
    },
    headers: {
      "Idempotency-Key": {
        description: "Same key and body: same answer, acted on once",
        required: true,
      },
    },
    body: cancellationResolutionBodySchema,
    responses: { 200: { description: "Resolved", schema: cancellationResolutionAnswerSchema } },
    problems: {
      400: ["invalid_request", "invalid_json", "idempotency_key_required", "invalid_idempotency_key"],
      401: ["unauthenticated"],
      403: ["forbidden"],
      404: ["cancellation_not_found"],
      409: [
        "cancellation_not_in_review",
        "resolution_contradicts_pos",
        "resolution_in_progress",
        "coupon_status_conflict",
      ],
      422: ["idempotency_key_reused"],
      502: ["shopify_rejected"],
      503: ["shopify_unavailable"],
    },
  },
];
