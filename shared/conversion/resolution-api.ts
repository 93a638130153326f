import * as z from "zod/mini";
import { resolutionNoteSchema } from "../resolution/note";
import { resolutionOutcomeSchema } from "./resolution-records";

/**
 * The input of POST /v1/admin/conversions/{conversionId}/resolution, parsed by its handler (its
 * documented answer and operation: admin/operations.ts).
 */
export const reviewResolutionBodySchema = z.strictObject({
  outcome: resolutionOutcomeSchema.check(
    z.describe(
      "points_taken: the POS shows this conversion's deduction, the coupon is made usable; points_not_taken: it does not, the coupon is voided",
    ),
  ),
  note: resolutionNoteSchema,
});
