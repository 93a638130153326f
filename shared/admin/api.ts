import * as z from "zod/mini";
import { customerIdSchema } from "../auth/shopify-ids";
import { limitSchema } from "../http/paging";
import { resolutionNoteSchema } from "../resolution/note";
import { conversionStatusSchema } from "../store";
import {
  adjustmentReasonSchema,
  adjustmentResolutionOutcomeSchema,
  adjustmentStatusSchema,
} from "./adjustment-records";
import { couponFilterSchema } from "./coupon-search";

/**
 * The admin API's inputs, parsed by the handlers with these schemas (its documented answers and
 * operations: operations.ts). The body of a parked conversion's resolution is beside its outcome
 * (conversion/resolution-api.ts), so that route's bundle holds none of the others.
 */

export { reviewResolutionBodySchema } from "../conversion/resolution-api";

export const couponSearchQuerySchema = z.object({
  customerId: z.optional(customerIdSchema),
  code: z.optional(z.string().check(z.trim(), z.minLength(1), z.maxLength(64))),
  status: z._default(couponFilterSchema, "all"),
  limit: limitSchema,
  cursor: z.optional(z.string().check(z.minLength(1))),
});

export const conversionListQuerySchema = z.object({
  status: z._default(conversionStatusSchema, "needs_review"),
  limit: limitSchema,
  cursor: z.optional(z.string().check(z.minLength(1))),
});

export const pointAdjustmentBodySchema = z.object({
  points: z.number({ error: "points must be a whole number, e.g. 500 (or -500 to take points away)" }).check(
    z.int("points must be a whole number"),
    z.gte(-100_000, "at most 100,000 points can be taken away at once"),
    z.lte(100_000, "at most 100,000 points can be added at once"),
    z.refine((points) => points !== 0, "points must not be 0"),
  ),
  reason: adjustmentReasonSchema,
  note: z.optional(z.string().check(z.trim(), z.maxLength(500, "note is at most 500 characters"))),
});

export const adjustmentListQuerySchema = z.object({
  status: z._default(adjustmentStatusSchema, "needs_review"),
  limit: limitSchema,
  cursor: z.optional(z.string().check(z.minLength(1))),
});

export const adjustmentResolutionBodySchema = z.strictObject({
  outcome: adjustmentResolutionOutcomeSchema.check(
    z.describe(
      "points_changed: the POS shows this adjustment's change, it is recorded as applied; points_not_changed: it does not, the adjustment is not_applied and the same request (same Idempotency-Key) may be sent again",
    ),
  ),
  note: resolutionNoteSchema,
});
