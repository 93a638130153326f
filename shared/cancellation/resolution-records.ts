import * as z from "zod/mini";
import { type ClaimRequest, type ResolutionTrail, resolutionClaimShape } from "../resolution/claims";
import type { ResolutionStore as GenericResolutionStore } from "../resolution/workflow";
import { isoDateTime } from "../schema-formats";
import { type CouponPatch, type CouponStatus, couponStatusSchema } from "../store";
import type { CancellationPatch } from "./records";

/**
 * Staff resolutions of cancellations parked as `needs_review`, one claim item per cancellation
 * (`pk = CANCELRESOLUTION#<cancellationId>`), as for conversions (shared/admin/resolution-claims.ts).
 * The cancellation, its coupon and this item change together, in one conditional transaction.
 */

const instant = isoDateTime();

export const cancellationResolutionOutcomeSchema = z.enum(["points_refunded", "points_not_refunded"]);
export type CancellationResolutionOutcome = z.infer<typeof cancellationResolutionOutcomeSchema>;

export const cancellationResolutionAnswerSchema = z.object({
  cancellationId: z.string(),
  code: z.string(),
  status: z.enum(["cancelled", "failed"]),
  coupon: z.object({ code: z.string(), status: couponStatusSchema }),
  resolvedBy: z.string().check(z.describe("The admin's email from the token (else its subject)")),
  resolvedAt: instant,
  note: z.string(),
});
export type CancellationResolutionAnswer = z.infer<typeof cancellationResolutionAnswerSchema>;

export const cancellationResolutionRecordSchema = z.object({
  cancellationId: z.string().check(z.minLength(1)),
  /** The cancelled coupon's conversion: the resolution's event is recorded under it too. */
  conversionId: z.string().check(z.minLength(1)),
  outcome: cancellationResolutionOutcomeSchema,
  answer: z.optional(cancellationResolutionAnswerSchema),
  ...resolutionClaimShape,
});
export type CancellationResolutionRecord = z.infer<typeof cancellationResolutionRecordSchema>;

export type NewCancellationClaim = ClaimRequest<CancellationResolutionRecord>;

/** The coupon's part of a resolution: from its expected status only. */
export type ResolvedCouponChange =
  | { kind: "none" }
  | {
      kind: "update";
      code: string;
      expected: CouponStatus;
      patch: CouponPatch;
      /** Given back: the cancellation's hold and refund guard go, so a new cancellation starts afresh. */
      releaseGuard?: boolean;
    };

export interface CancellationResolutionCommit {
  claim: CancellationResolutionRecord;
  cancellation: {
    cancellationId: string;
    status: "cancelled" | "failed";
    patch: CancellationPatch;
  };
  coupon: ResolvedCouponChange;
  answer: CancellationResolutionAnswer;
  trail: ResolutionTrail;
}

export type CancellationResolutionPart = "cancellation" | "claim" | "coupon";

export type CancellationResolutionStore = GenericResolutionStore<
  CancellationResolutionRecord,
  CancellationResolutionCommit
>;
