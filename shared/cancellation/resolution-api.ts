import * as z from "zod/mini";
import { resolutionNoteSchema } from "../resolution/note";
import { cancellationResolutionOutcomeSchema } from "./resolution-records";

/**
 * The input of POST /v1/admin/cancellations/{cancellationId}/resolution, parsed by its handler (its
 * documented answer and operation: operations.ts).
 */
export const cancellationResolutionBodySchema = z.strictObject({
  outcome: cancellationResolutionOutcomeSchema.check(
    z.describe(
      "points_refunded: the POS shows this coupon's refund, the cancellation stands and the customer is emailed; points_not_refunded: it does not, the coupon is given back (code active again) so it can be cancelled again",
    ),
  ),
  note: resolutionNoteSchema,
});
