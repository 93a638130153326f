import * as z from "zod/mini";
import { Conflict } from "../errors";
import { type ResolutionTrail, resolutionClaimShape } from "../resolution/claims";
import type { ResolutionStore as GenericResolutionStore } from "../resolution/workflow";
import { isoDateTime } from "../schema-formats";
import type { Page, PageRequest } from "../store";

/**
 * Manual point adjustments by shop staff, one item per (customer, Idempotency-Key), written before
 * the POS is called so that no replay can add points twice.
 */

const instant = isoDateTime();

export const adjustmentReasonSchema = z.enum([
  "order_cancelled_coupon_used",
  "goodwill",
  "correction",
  "other",
]);
export type AdjustmentReason = z.infer<typeof adjustmentReasonSchema>;

export const adjustmentStatusSchema = z.enum([
  /** An attempt was (or is about to be) sent to the POS; its outcome is not recorded yet. */
  "pending",
  "applied",
  /** Proven not applied (nothing sent, or reconciliation found nothing): a replay may try again. */
  "not_applied",
  /** The POS refused the change (e.g. a subtraction below zero). */
  "declined",
  /** The POS could not tell whether the change happened; a person decides. */
  "needs_review",
]);
export type AdjustmentStatus = z.infer<typeof adjustmentStatusSchema>;

/** Adjustment ids are the UUIDs the service gives them. */
export const adjustmentIdSchema = z.uuid("an adjustment id is a UUID, as the adjustment's answer gives it");

export const adjustmentRecordSchema = z.object({
  adjustmentId: z.string().check(z.minLength(1)),
  customerId: z.string().check(z.regex(/^\d+$/)),
  idempotencyKey: z.string().check(z.minLength(1)),
  requestHash: z.string().check(z.minLength(1)),
  points: z.number().check(z.int()),
  reason: adjustmentReasonSchema,
  note: z.optional(z.string()),
  /** The admin's token subject and how people know them. */
  requestedBy: z.string().check(z.minLength(1)),
  requestedByLabel: z.string().check(z.minLength(1)),
  posCustomerId: z.string().check(z.minLength(1)),
  status: adjustmentStatusSchema,
  attempts: z.number().check(z.int(), z.positive()),
  /** Reconciliation looks for the POS transaction from here on, whichever attempt made it. */
  firstAttemptAt: instant,
  attemptStartedAt: instant,
  /** The balance read just before the latest attempt. */
  balanceBefore: z.optional(z.number().check(z.int())),
  balanceAfter: z.optional(z.number().check(z.int())),
  transactionHeadIds: z.optional(z.array(z.string())),
  failure: z.optional(z.string()),
  /** `not_applied` concluded from the POS after an answer was lost (not "nothing was sent"). */
  answerLost: z.optional(z.boolean()),
  reviewReason: z.optional(z.string()),
  createdAt: instant,
  updatedAt: instant,
});
export type AdjustmentRecord = z.infer<typeof adjustmentRecordSchema>;

export type NewAdjustment = Omit<AdjustmentRecord, "createdAt" | "updatedAt">;
export type AdjustmentPatch = Partial<
  Pick<
    AdjustmentRecord,
    | "status"
    | "attempts"
    | "attemptStartedAt"
    | "balanceBefore"
    | "balanceAfter"
    | "transactionHeadIds"
    | "failure"
    | "answerLost"
    | "reviewReason"
  >
>;

export class AdjustmentStatusConflict extends Conflict {
  override readonly name: string = "AdjustmentStatusConflict";
  constructor(adjustmentId: string, current: string | undefined) {
    super(
      "adjustment_status_conflict",
      `Point adjustment ${adjustmentId} changed meanwhile (now ${current ?? "unknown"}); repeat the request to see where it stands`,
      2,
    );
  }
}

export interface AdjustmentStore {
  get(customerId: string, idempotencyKey: string): Promise<AdjustmentRecord | undefined>;
  /** Writes once; an existing record for the same key is returned instead (`created: false`). */
  create(adjustment: NewAdjustment): Promise<{ created: boolean; record: AdjustmentRecord }>;
  /**
   * Applies the patch only while the status is one of `expected` (and, when given, the attempt is
   * still the one that started at `attemptStartedAt`); else `AdjustmentStatusConflict`.
   */
  transition(
    adjustment: AdjustmentRecord,
    expected: readonly AdjustmentStatus[],
    patch: AdjustmentPatch,
    options?: { sameAttempt?: boolean },
  ): Promise<AdjustmentRecord>;
  /** Newest first. */
  listByCustomer(customerId: string, limit: number): Promise<AdjustmentRecord[]>;
  /** The customer's adjustment with this id, in any status. */
  findById(customerId: string, adjustmentId: string): Promise<AdjustmentRecord | undefined>;
  /** Adjustments of one status across the shop, newest first (the review queue). */
  listByStatus(status: AdjustmentStatus, page: PageRequest): Promise<Page<AdjustmentRecord>>;
}

// ---- staff resolutions of adjustments parked as needs_review ----

export const adjustmentResolutionOutcomeSchema = z.enum(["points_changed", "points_not_changed"]);
export type AdjustmentResolutionOutcome = z.infer<typeof adjustmentResolutionOutcomeSchema>;

export const adjustmentResolutionAnswerSchema = z.object({
  adjustmentId: z.string(),
  customerId: z.string(),
  status: z
    .enum(["applied", "not_applied"])
    .check(
      z.describe("not_applied: nothing changed; the same adjustment request (same key) may be sent again"),
    ),
  points: z.number().check(z.int()),
  resolvedBy: z.string().check(z.describe("The admin's email from the token (else its subject)")),
  resolvedAt: instant,
  note: z.string(),
});
export type AdjustmentResolutionAnswer = z.infer<typeof adjustmentResolutionAnswerSchema>;

export const adjustmentResolutionRecordSchema = z.object({
  adjustmentId: z.string().check(z.minLength(1)),
  customerId: z.string().check(z.minLength(1)),
  outcome: adjustmentResolutionOutcomeSchema,
  answer: z.optional(adjustmentResolutionAnswerSchema),
  ...resolutionClaimShape,
});
export type AdjustmentResolutionRecord = z.infer<typeof adjustmentResolutionRecordSchema>;

export interface AdjustmentResolutionCommit {
  claim: AdjustmentResolutionRecord;
  adjustment: AdjustmentRecord;
  patch: AdjustmentPatch & { status: "applied" | "not_applied" };
  answer: AdjustmentResolutionAnswer;
  trail: ResolutionTrail;
}

export type AdjustmentResolutionStore = GenericResolutionStore<
  AdjustmentResolutionRecord,
  AdjustmentResolutionCommit
>;
