import * as z from "zod/mini";
import { type ClaimRequest, type ResolutionTrail, resolutionClaimShape } from "../resolution/claims";
import type { ResolutionStore as GenericResolutionStore } from "../resolution/workflow";
import { isoDateTime } from "../schema-formats";
import {
  type ConversionRecord,
  type ConversionStatus,
  type CouponPatch,
  type CouponStatus,
  couponStatusSchema,
  type NewCoupon,
} from "../store";

/**
 * Staff resolutions of conversions parked as `needs_review`, one item per conversion
 * (`pk = RESOLUTION#<conversionId>`). The item is the claim that lets only one resolution act at a
 * time, the idempotency record of its `Idempotency-Key`, and, once resolved, the answer a replay
 * gives. The conversion, its coupon and this item change together, in one conditional transaction.
 */

const instant = isoDateTime();

export const resolutionOutcomeSchema = z.enum(["points_taken", "points_not_taken"]);
export type ResolutionOutcome = z.infer<typeof resolutionOutcomeSchema>;

export const resolutionAnswerSchema = z.object({
  conversionId: z.string(),
  status: z.enum(["completed", "compensated"]),
  coupon: z
    .nullable(z.object({ code: z.string(), status: couponStatusSchema }))
    .check(
      z.describe("null when no coupon was ever stored for the conversion (nothing to make usable or void)"),
    ),
  resolvedBy: z.string().check(z.describe("The admin's email from the token (else its subject)")),
  resolvedAt: instant,
  note: z.string(),
});
export type ResolutionAnswer = z.infer<typeof resolutionAnswerSchema>;

export type { ResolutionTrail };

export const resolutionRecordSchema = z.object({
  conversionId: z.string().check(z.minLength(1)),
  outcome: resolutionOutcomeSchema,
  answer: z.optional(resolutionAnswerSchema),
  ...resolutionClaimShape,
});
export type ResolutionRecord = z.infer<typeof resolutionRecordSchema>;

export type NewClaim = ClaimRequest<ResolutionRecord>;

/** The coupon's part of a resolution. */
export type CouponChange =
  | { kind: "none" }
  | { kind: "update"; code: string; expected: CouponStatus; patch: CouponPatch }
  /** A parked conversion whose coupon was never stored (its discount id was unknown then). */
  | { kind: "create"; coupon: NewCoupon };

/** What a resolution sets on the conversion besides its status. */
export type ResolvedConversionFields = Partial<
  Pick<
    ConversionRecord,
    | "resolvedBy"
    | "resolvedAt"
    | "resolutionNote"
    | "discountId"
    | "transactionHeadIds"
    | "balanceAfter"
    | "failure"
    | "couponLive"
  >
>;

export interface ResolutionCommit {
  claim: ResolutionRecord;
  conversion: {
    conversionId: string;
    status: Extract<ConversionStatus, "completed" | "compensated">;
    fields: ResolvedConversionFields;
  };
  coupon: CouponChange;
  answer: ResolutionAnswer;
  trail: ResolutionTrail;
}

export type ResolutionCommitPart = "conversion" | "claim" | "coupon";

export type ResolutionStore = GenericResolutionStore<ResolutionRecord, ResolutionCommit>;
