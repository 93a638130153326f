import { ConditionalCheckFailedException, TransactionCanceledException } from "@aws-sdk/client-dynamodb";
import { type DynamoDBDocumentClient, GetCommand, PutCommand } from "@aws-sdk/lib-dynamodb";
import { z } from "zod";
import {
  type ConversionRecord,
  type ConversionStatus,
  type CouponPatch,
  type CouponRecord,
  type CouponStatus,
  couponRecordSchema,
  couponStatusSchema,
  type NewCoupon,
} from "../store";
import {
  conditionalStatusUpdate,
  failedCondition,
  keys,
  type RepositoryOptions,
  transactWrite,
  withoutUndefined,
} from "../store/dynamodb/common";

/**
 * Staff resolutions of conversions parked as `needs_review`, one item per conversion
 * (`pk = RESOLUTION#<conversionId>`). The item is the claim that lets only one resolution act at a
 * time, the idempotency record of its `Idempotency-Key`, and, once resolved, the answer a replay
 * gives. The conversion, its coupon and this item change together, in one conditional transaction.
 */

const instant = z.iso.datetime();

export const resolutionOutcomeSchema = z.enum(["points_taken", "points_not_taken"]);
export type ResolutionOutcome = z.infer<typeof resolutionOutcomeSchema>;

export const resolutionAnswerSchema = z.object({
  conversionId: z.string(),
  status: z.enum(["completed", "compensated"]),
  coupon: z
    .object({ code: z.string(), status: couponStatusSchema })
    .nullable()
    .describe("null when no coupon was ever stored for the conversion (nothing to make usable or void)"),
  resolvedBy: z.string().describe("The admin's email from the token (else its subject)"),
  resolvedAt: instant,
  note: z.string(),
});
export type ResolutionAnswer = z.infer<typeof resolutionAnswerSchema>;

/** What the resolution's audit event says; kept so that a replay can write a lost event again. */
const trailSchema = z.object({
  detail: z.string(),
  data: z.record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.null()])),
  externalIds: z
    .object({
      shopifyDiscountId: z.string().optional(),
      smaregiTransactionHeadIds: z.array(z.string()).optional(),
    })
    .optional(),
});
export type ResolutionTrail = z.infer<typeof trailSchema>;

export const resolutionRecordSchema = z.object({
  conversionId: z.string().min(1),
  idempotencyKey: z.string().min(1),
  requestHash: z.string().min(1),
  outcome: resolutionOutcomeSchema,
  note: z.string(),
  /** The admin's token subject and how people know them. */
  requestedBy: z.string().min(1),
  requestedByLabel: z.string().min(1),
  /** `pending` while a request holds the claim and acts; `resolved` once committed. */
  status: z.enum(["pending", "resolved"]),
  /** Identifies the request holding the claim; every later write is conditional on it. */
  claimId: z.string().min(1),
  claimedAt: instant,
  /** When this key first claimed the conversion; fixed across its continuations. */
  startedAt: instant,
  answer: resolutionAnswerSchema.optional(),
  trail: trailSchema.optional(),
  createdAt: instant,
  updatedAt: instant,
});
export type ResolutionRecord = z.infer<typeof resolutionRecordSchema>;

export type NewClaim = Pick<
  ResolutionRecord,
  | "conversionId"
  | "idempotencyKey"
  | "requestHash"
  | "outcome"
  | "note"
  | "requestedBy"
  | "requestedByLabel"
  | "claimId"
  | "startedAt"
>;

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

/** Which condition of the commit failed; nothing was written. */
export class ResolutionCommitRefused extends Error {
  constructor(readonly part: "conversion" | "coupon" | "claim") {
    super(`The resolution could not be recorded: the ${part} changed meanwhile`);
    this.name = "ResolutionCommitRefused";
  }
}

export interface ResolutionStore {
  get(conversionId: string): Promise<ResolutionRecord | undefined>;
  /**
   * Claims the conversion's resolution for one request: a new item, or one taking the place of
   * `previous` while it is still exactly as read (same claim). Undefined when another claim won.
   */
  claim(claim: NewClaim, previous?: ResolutionRecord): Promise<ResolutionRecord | undefined>;
  /**
   * One transaction: the conversion leaves `needs_review`, the coupon changes (only from its
   * expected status), the claim becomes `resolved` with the answer. `ResolutionCommitRefused`
   * names the part whose condition failed.
   */
  commit(commit: ResolutionCommit): Promise<void>;
}

const keyOf = (conversionId: string) => ({ pk: `RESOLUTION#${conversionId}`, sk: "RESOLUTION" });

export class DynamoResolutionStore implements ResolutionStore {
  readonly #client: DynamoDBDocumentClient;
  readonly #table: string;
  readonly #now: () => Date;

  constructor(options: RepositoryOptions) {
    this.#client = options.client;
    this.#table = options.tableName;
    this.#now = options.now ?? (() => new Date());
  }

  async get(conversionId: string): Promise<ResolutionRecord | undefined> {
    const result = await this.#client.send(
      new GetCommand({ TableName: this.#table, Key: keyOf(conversionId), ConsistentRead: true }),
    );
    return result.Item === undefined ? undefined : resolutionRecordSchema.parse(result.Item);
  }

  async claim(claim: NewClaim, previous?: ResolutionRecord): Promise<ResolutionRecord | undefined> {
    const now = this.#now().toISOString();
    const record = resolutionRecordSchema.parse({
      ...claim,
      status: "pending",
      claimedAt: now,
      createdAt: previous?.createdAt ?? now,
      updatedAt: now,
    });
    try {
      await this.#client.send(
        new PutCommand({
          TableName: this.#table,
          Item: { ...keyOf(record.conversionId), ...withoutUndefined(record) },
          ...(previous === undefined
            ? { ConditionExpression: "attribute_not_exists(pk)" }
            : {
                ConditionExpression: "claimId = :previous",
                ExpressionAttributeValues: { ":previous": previous.claimId },
              }),
        }),
      );
      return record;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return undefined;
      throw error;
    }
  }

  async commit({ claim, conversion, coupon, answer, trail }: ResolutionCommit): Promise<void> {
    const now = this.#now().toISOString();
    const conversionUpdate = conditionalStatusUpdate(
      {
        ...withoutUndefined(conversion.fields),
        status: conversion.status,
        gsi2pk: keys.conversionStatus(conversion.status),
        updatedAt: now,
      },
      ["needs_review"] satisfies ConversionStatus[],
    );
    const claimUpdate = conditionalStatusUpdate({ answer, trail, updatedAt: now, status: "resolved" }, [
      "pending",
    ]);
    const items: NonNullable<Parameters<typeof transactWrite>[1]["TransactItems"]> = [
      {
        Update: {
          TableName: this.#table,
          Key: keys.conversion(conversion.conversionId),
          ...conversionUpdate,
        },
      },
      {
        Update: {
          TableName: this.#table,
          Key: keyOf(claim.conversionId),
          ...claimUpdate,
          ConditionExpression: `${claimUpdate.ConditionExpression} AND #claim = :claim`,
          ExpressionAttributeNames: { ...claimUpdate.ExpressionAttributeNames, "#claim": "claimId" },
          ExpressionAttributeValues: { ...claimUpdate.ExpressionAttributeValues, ":claim": claim.claimId },
        },
      },
    ];
    const couponItem = this.#couponItem(coupon, now);
    if (couponItem) items.push(couponItem);
    try {
      await transactWrite(this.#client, { TransactItems: items });
    } catch (error) {
      if (!(error instanceof TransactionCanceledException)) throw error;
      const [conversionReason, claimReason, couponReason] = error.CancellationReasons ?? [];
      if (failedCondition(conversionReason)) throw new ResolutionCommitRefused("conversion");
      if (failedCondition(claimReason)) throw new ResolutionCommitRefused("claim");
      if (failedCondition(couponReason)) throw new ResolutionCommitRefused("coupon");
      throw error;
    }
  }

  #couponItem(change: CouponChange, now: string) {
    switch (change.kind) {
      case "none":
        return undefined;
      case "update":
        return {
          Update: {
            TableName: this.#table,
            Key: keys.coupon(change.code),
            ...conditionalStatusUpdate({ ...withoutUndefined(change.patch), updatedAt: now }, [
              change.expected,
            ]),
          },
        };
      case "create": {
        const coupon: CouponRecord = couponRecordSchema.parse({
          ...change.coupon,
          code: change.coupon.code.toUpperCase(),
          createdAt: now,
          updatedAt: now,
        });
        // The same item the coupon store writes, index keys included.
        return {
          Put: {
            TableName: this.#table,
            Item: {
              ...keys.coupon(coupon.code),
              gsi1pk: keys.customer(coupon.customerId),
              gsi1sk: `COUPON#${coupon.createdAt}#${coupon.code}`,
              gsi2pk: keys.allCoupons,
              gsi2sk: `${coupon.createdAt}#${coupon.code}`,
              ...withoutUndefined(coupon),
            },
            ConditionExpression: "attribute_not_exists(pk)",
          },
        };
      }
    }
  }
}
