import * as z from "zod/mini";
import { limitSchema } from "../http/paging";
import { resolutionNoteSchema } from "../resolution/claims";
import { type CancellationRecord, cancellationStatusSchema, cancelReasonSchema } from "./records";
import { cancellationResolutionOutcomeSchema } from "./resolution-records";

/** The cancellation routes' inputs, parsed by the handlers with these schemas (their documented answers and operations: operations.ts). */

export const cancelBodySchema = z.object({
  reason: cancelReasonSchema,
  note: z.optional(z.string().check(z.trim(), z.maxLength(500, "note is at most 500 characters"))),
});

export const cancellationListQuerySchema = z.object({
  status: z._default(cancellationStatusSchema, "needs_review"),
  limit: limitSchema,
  cursor: z.optional(z.string().check(z.minLength(1))),
});

export const cancellationResolutionBodySchema = z.strictObject({
  outcome: cancellationResolutionOutcomeSchema.check(
    z.describe(
      "points_refunded: the POS shows this coupon's refund, the cancellation stands and the customer is emailed; points_not_refunded: it does not, the coupon is given back (code active again) so it can be cancelled again",
    ),
  ),
  note: resolutionNoteSchema,
});

/** A cancellation as staff read it; the request hash only serves idempotency checks. */
export function cancellationView({ requestHash: _hash, ...cancellation }: CancellationRecord) {
  return cancellation;
}
