import { ConditionalCheckFailedException } from "@aws-sdk/client-dynamodb";
import { type DynamoDBDocumentClient, GetCommand, PutCommand, UpdateCommand } from "@aws-sdk/lib-dynamodb";
import { z } from "zod";
import {
  conditionalStatusUpdate,
  type Item,
  keys,
  queryPage,
  type RepositoryOptions,
  rawString,
  withoutUndefined,
} from "../adapters/dynamodb/common";
import { Conflict, NotFound } from "../errors";
import { loyaltyIndexes } from "../tables";

/**
 * Manual point adjustments by shop staff, one item per (customer, Idempotency-Key), written before
 * the POS is called so that no replay can add points twice.
 */

const instant = z.iso.datetime();

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

export const adjustmentRecordSchema = z.object({
  adjustmentId: z.string().min(1),
  customerId: z.string().regex(/^\d+$/),
  idempotencyKey: z.string().min(1),
  requestHash: z.string().min(1),
  points: z.number().int(),
  reason: adjustmentReasonSchema,
  note: z.string().optional(),
  /** The admin's token subject and how people know them. */
  requestedBy: z.string().min(1),
  requestedByLabel: z.string().min(1),
  posCustomerId: z.string().min(1),
  status: adjustmentStatusSchema,
  attempts: z.number().int().positive(),
  /** Reconciliation looks for the POS transaction from here on, whichever attempt made it. */
  firstAttemptAt: instant,
  attemptStartedAt: instant,
  /** The balance read just before the latest attempt. */
  balanceBefore: z.number().int().optional(),
  balanceAfter: z.number().int().optional(),
  transactionHeadIds: z.array(z.string()).optional(),
  failure: z.string().optional(),
  reviewReason: z.string().optional(),
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
    | "reviewReason"
  >
>;

export class AdjustmentStatusConflict extends Conflict {
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
}

const keyOf = (customerId: string, idempotencyKey: string) => ({
  pk: `ADJ#${customerId}#${idempotencyKey}`,
  sk: "ADJ",
});

export class DynamoAdjustmentStore implements AdjustmentStore {
  readonly #client: DynamoDBDocumentClient;
  readonly #table: string;
  readonly #now: () => Date;

  constructor(options: RepositoryOptions) {
    this.#client = options.client;
    this.#table = options.tableName;
    this.#now = options.now ?? (() => new Date());
  }

  async get(customerId: string, idempotencyKey: string): Promise<AdjustmentRecord | undefined> {
    const result = await this.#client.send(
      new GetCommand({
        TableName: this.#table,
        Key: keyOf(customerId, idempotencyKey),
        ConsistentRead: true,
      }),
    );
    return result.Item === undefined ? undefined : adjustmentRecordSchema.parse(result.Item);
  }

  async create(input: NewAdjustment): Promise<{ created: boolean; record: AdjustmentRecord }> {
    const now = this.#now().toISOString();
    const record = adjustmentRecordSchema.parse({ ...input, createdAt: now, updatedAt: now });
    try {
      await this.#client.send(
        new PutCommand({
          TableName: this.#table,
          Item: {
            ...keyOf(record.customerId, record.idempotencyKey),
            gsi1pk: keys.customer(record.customerId),
            gsi1sk: `ADJ#${record.createdAt}#${record.adjustmentId}`,
            ...withoutUndefined(record),
          },
          ConditionExpression: "attribute_not_exists(pk)",
        }),
      );
      return { created: true, record };
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
      const existing = await this.get(record.customerId, record.idempotencyKey);
      if (existing === undefined)
        throw new Error(`Adjustment ${record.idempotencyKey} vanished while written`);
      return { created: false, record: existing };
    }
  }

  async transition(
    adjustment: AdjustmentRecord,
    expected: readonly AdjustmentStatus[],
    patch: AdjustmentPatch,
    options: { sameAttempt?: boolean } = {},
  ): Promise<AdjustmentRecord> {
    const update = conditionalStatusUpdate(
      { ...withoutUndefined(patch), updatedAt: this.#now().toISOString() },
      expected,
    );
    const sameAttempt = options.sameAttempt
      ? {
          ConditionExpression: `${update.ConditionExpression} AND #attempt = :attempt`,
          ExpressionAttributeNames: { ...update.ExpressionAttributeNames, "#attempt": "attemptStartedAt" },
          ExpressionAttributeValues: {
            ...update.ExpressionAttributeValues,
            ":attempt": adjustment.attemptStartedAt,
          },
        }
      : {};
    try {
      const result = await this.#client.send(
        new UpdateCommand({
          TableName: this.#table,
          Key: keyOf(adjustment.customerId, adjustment.idempotencyKey),
          ...update,
          ...sameAttempt,
          ReturnValues: "ALL_NEW",
          ReturnValuesOnConditionCheckFailure: "ALL_OLD",
        }),
      );
      return adjustmentRecordSchema.parse(result.Attributes);
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
      if (error.Item === undefined) {
        throw new NotFound(
          "adjustment_not_found",
          `Point adjustment ${adjustment.adjustmentId} does not exist`,
        );
      }
      throw new AdjustmentStatusConflict(adjustment.adjustmentId, rawString(error.Item, "status"));
    }
  }

  async listByCustomer(customerId: string, limit: number): Promise<AdjustmentRecord[]> {
    const gsi1pk = keys.customer(customerId);
    const page = await queryPage(
      this.#client,
      {
        TableName: this.#table,
        IndexName: loyaltyIndexes.byCustomer,
        KeyConditionExpression: "gsi1pk = :pk AND begins_with(gsi1sk, :prefix)",
        ExpressionAttributeValues: { ":pk": gsi1pk, ":prefix": "ADJ#" },
        ScanIndexForward: false,
      },
      { limit },
      { gsi1pk },
      (item: Item) => adjustmentRecordSchema.parse(item),
    );
    return page.items;
  }
}
