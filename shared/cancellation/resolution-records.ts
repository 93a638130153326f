import { TransactionCanceledException } from "@aws-sdk/client-dynamodb";
import type { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { z } from "zod";
import {
  type ClaimRequest,
  DynamoResolutionClaims,
  type ResolutionTrail,
  resolutionClaimShape,
} from "../admin/resolution-claims";
import { type CouponPatch, type CouponStatus, couponStatusSchema } from "../store";
import {
  conditionalStatusUpdate,
  failedCondition,
  keys,
  type RepositoryOptions,
  transactWrite,
  withoutUndefined,
} from "../store/dynamodb/common";
import type { CancellationPatch } from "./records";

/**
 * Staff resolutions of cancellations parked as `needs_review`, one claim item per cancellation
 * (`pk = CANCELRESOLUTION#<cancellationId>`), as for conversions (shared/admin/resolution-claims.ts).
 * The cancellation, its coupon and this item change together, in one conditional transaction.
 */

const instant = z.iso.datetime();

export const cancellationResolutionOutcomeSchema = z.enum(["points_refunded", "points_not_refunded"]);
export type CancellationResolutionOutcome = z.infer<typeof cancellationResolutionOutcomeSchema>;

export const cancellationResolutionAnswerSchema = z.object({
  cancellationId: z.string(),
  code: z.string(),
  status: z.enum(["cancelled", "failed"]),
  coupon: z.object({ code: z.string(), status: couponStatusSchema }),
  resolvedBy: z.string().describe("The admin's email from the token (else its subject)"),
  resolvedAt: instant,
  note: z.string(),
});
export type CancellationResolutionAnswer = z.infer<typeof cancellationResolutionAnswerSchema>;

export const cancellationResolutionRecordSchema = z.object({
  cancellationId: z.string().min(1),
  /** The cancelled coupon's conversion: the resolution's event is recorded under it too. */
  conversionId: z.string().min(1),
  outcome: cancellationResolutionOutcomeSchema,
  answer: cancellationResolutionAnswerSchema.optional(),
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

/** Which condition of the commit failed; nothing was written. */
export class CancellationResolutionRefused extends Error {
  constructor(readonly part: "cancellation" | "coupon" | "claim") {
    super(`The resolution could not be recorded: the ${part} changed meanwhile`);
    this.name = "CancellationResolutionRefused";
  }
}

export interface CancellationResolutionStore {
  get(cancellationId: string): Promise<CancellationResolutionRecord | undefined>;
  /** The claim (see `DynamoResolutionClaims.claim`); undefined when another claim won. */
  claim(
    claim: NewCancellationClaim,
    previous?: CancellationResolutionRecord,
  ): Promise<CancellationResolutionRecord | undefined>;
  /**
   * One transaction: the cancellation leaves `needs_review`, the coupon changes (only from its
   * expected status), the claim becomes `resolved` with the answer. `CancellationResolutionRefused`
   * names the part whose condition failed.
   */
  commit(commit: CancellationResolutionCommit): Promise<void>;
}

const keyOf = (cancellationId: string) => ({ pk: `CANCELRESOLUTION#${cancellationId}`, sk: "RESOLUTION" });
/** The cancellation's own item, as shared/cancellation/dynamodb.ts writes it. */
const cancellationKey = (cancellationId: string) => ({ pk: `CANCEL#${cancellationId}`, sk: "CANCEL" });
/** What a cancellation leaves on its coupon (see DynamoCancellationStore.releaseCoupon). */
const guardAttributes = ["cancellationId", "refundStartedAt", "refundAttempts", "refundBalanceBefore"];

export class DynamoCancellationResolutionStore implements CancellationResolutionStore {
  readonly #client: DynamoDBDocumentClient;
  readonly #table: string;
  readonly #now: () => Date;
  readonly #claims: DynamoResolutionClaims<CancellationResolutionRecord>;

  constructor(options: RepositoryOptions) {
    this.#client = options.client;
    this.#table = options.tableName;
    this.#now = options.now ?? (() => new Date());
    this.#claims = new DynamoResolutionClaims(options, keyOf, (item) =>
      cancellationResolutionRecordSchema.parse(item),
    );
  }

  get(cancellationId: string): Promise<CancellationResolutionRecord | undefined> {
    return this.#claims.get(cancellationId);
  }

  claim(
    claim: NewCancellationClaim,
    previous?: CancellationResolutionRecord,
  ): Promise<CancellationResolutionRecord | undefined> {
    return this.#claims.claim(claim.cancellationId, claim, previous);
  }

  async commit({ claim, cancellation, coupon, answer, trail }: CancellationResolutionCommit): Promise<void> {
    const now = this.#now().toISOString();
    const items: NonNullable<Parameters<typeof transactWrite>[1]["TransactItems"]> = [
      {
        Update: {
          TableName: this.#table,
          Key: cancellationKey(cancellation.cancellationId),
          ...conditionalStatusUpdate(
            {
              ...withoutUndefined(cancellation.patch),
              status: cancellation.status,
              gsi2pk: keys.cancellationStatus(cancellation.status),
              updatedAt: now,
            },
            ["needs_review"],
          ),
        },
      },
      this.#claims.resolvedItem(claim.cancellationId, claim, { answer, trail, now }),
    ];
    if (coupon.kind === "update") {
      const update = conditionalStatusUpdate({ ...withoutUndefined(coupon.patch), updatedAt: now }, [
        coupon.expected,
      ]);
      items.push({
        Update: {
          TableName: this.#table,
          Key: keys.coupon(coupon.code),
          ...update,
          UpdateExpression: coupon.releaseGuard
            ? `${update.UpdateExpression} REMOVE ${guardAttributes.join(", ")}`
            : update.UpdateExpression,
        },
      });
    }
    try {
      await transactWrite(this.#client, { TransactItems: items });
    } catch (error) {
      if (!(error instanceof TransactionCanceledException)) throw error;
      const [cancellationReason, claimReason, couponReason] = error.CancellationReasons ?? [];
      if (failedCondition(cancellationReason)) throw new CancellationResolutionRefused("cancellation");
      if (failedCondition(claimReason)) throw new CancellationResolutionRefused("claim");
      if (failedCondition(couponReason)) throw new CancellationResolutionRefused("coupon");
      throw error;
    }
  }
}
