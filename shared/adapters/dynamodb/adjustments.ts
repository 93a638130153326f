import {
  type AdjustmentPatch,
  type AdjustmentRecord,
  type AdjustmentResolutionCommit,
  type AdjustmentResolutionRecord,
  type AdjustmentResolutionStore,
  type AdjustmentStatus,
  AdjustmentStatusConflict,
  type AdjustmentStore,
  adjustmentRecordSchema,
  adjustmentResolutionRecordSchema,
  adjustmentStatusSchema,
  type NewAdjustment,
} from "../../admin/adjustment-records";
import { NotFound } from "../../errors";
import type { Page, PageRequest } from "../../store";
import { loyaltyIndexes } from "../../tables";
import { isConditionalCheckFailed } from "./client";
import {
  conditionalStatusUpdate,
  DynamoStore,
  type Item,
  type RepositoryOptions,
  transactWrite,
  withoutUndefined,
} from "./common";
import * as keys from "./keys";
import { customerIndexPrefixes } from "./keys";
import { listByCustomerIndex, listByStatusIndex, queryPage } from "./listings";
import { commitRefusal, DynamoResolutionClaims } from "./resolution-claims";

/** Staff point adjustments (shared/admin/adjustment-records.ts), one item per (customer, key). */

export class DynamoAdjustmentStore extends DynamoStore implements AdjustmentStore {
  constructor(options: RepositoryOptions) {
    super(options);
  }

  async get(customerId: string, idempotencyKey: string): Promise<AdjustmentRecord | undefined> {
    const result = await this.client.get({
      TableName: this.table,
      Key: keys.adjustment(customerId, idempotencyKey),
      ConsistentRead: true,
    });
    return result.Item === undefined ? undefined : adjustmentRecordSchema.parse(result.Item);
  }

  async create(input: NewAdjustment): Promise<{ created: boolean; record: AdjustmentRecord }> {
    const now = this.now().toISOString();
    const record = adjustmentRecordSchema.parse({ ...input, createdAt: now, updatedAt: now });
    try {
      await this.client.put({
        TableName: this.table,
        Item: {
          ...keys.adjustment(record.customerId, record.idempotencyKey),
          gsi1pk: keys.customer(record.customerId),
          gsi1sk: `${customerIndexPrefixes.adjustment}${record.createdAt}#${record.adjustmentId}`,
          gsi2pk: keys.adjustmentStatus(record.status),
          gsi2sk: record.createdAt,
          ...withoutUndefined(record),
        },
        ConditionExpression: "attribute_not_exists(pk)",
      });
      return { created: true, record };
    } catch (error) {
      if (!isConditionalCheckFailed(error)) throw error;
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
    return this.updateFromStatus(
      keys.adjustment(adjustment.customerId, adjustment.idempotencyKey),
      {
        ...withoutUndefined(patch),
        ...(patch.status !== undefined ? { gsi2pk: keys.adjustmentStatus(patch.status) } : {}),
        updatedAt: this.now().toISOString(),
      },
      expected,
      (item) => adjustmentRecordSchema.parse(item),
      {
        missing: () =>
          new NotFound("adjustment_not_found", `Point adjustment ${adjustment.adjustmentId} does not exist`),
        conflict: (current) => new AdjustmentStatusConflict(adjustment.adjustmentId, current),
      },
      options.sameAttempt
        ? {
            condition: "#attempt = :attempt",
            names: { "#attempt": "attemptStartedAt" },
            values: { ":attempt": adjustment.attemptStartedAt },
          }
        : undefined,
    );
  }

  async listByCustomer(customerId: string, limit: number): Promise<AdjustmentRecord[]> {
    const page = await listByCustomerIndex(
      this.client,
      this.table,
      customerId,
      customerIndexPrefixes.adjustment,
      { limit },
      (item) => adjustmentRecordSchema.parse(item),
    );
    return page.items;
  }

  async findById(customerId: string, adjustmentId: string): Promise<AdjustmentRecord | undefined> {
    const gsi1pk = keys.customer(customerId);
    // The customer's adjustments, newest first, read until this one (the filter applies after the
    // read, and queryPage goes on until it has a match or the customer's adjustments run out).
    const page = await queryPage(
      this.client,
      {
        TableName: this.table,
        IndexName: loyaltyIndexes.byCustomer,
        KeyConditionExpression: "gsi1pk = :pk AND begins_with(gsi1sk, :prefix)",
        FilterExpression: "adjustmentId = :id",
        ExpressionAttributeValues: {
          ":pk": gsi1pk,
          ":prefix": customerIndexPrefixes.adjustment,
          ":id": adjustmentId,
        },
        ScanIndexForward: false,
      },
      { limit: 1 },
      { gsi1pk },
      (item: Item) => adjustmentRecordSchema.parse(item),
    );
    const [found] = page.items;
    // The index holds a copy: the item itself, read consistently.
    return found === undefined ? undefined : this.get(found.customerId, found.idempotencyKey);
  }

  listByStatus(status: AdjustmentStatus, page: PageRequest): Promise<Page<AdjustmentRecord>> {
    const gsi2pk = keys.adjustmentStatus(adjustmentStatusSchema.parse(status));
    return listByStatusIndex(this.client, this.table, gsi2pk, page, (item) =>
      adjustmentRecordSchema.parse(item),
    );
  }
}

/** Staff resolutions of parked adjustments: the claim item, and the commit with the adjustment. */
export class DynamoAdjustmentResolutionStore
  extends DynamoResolutionClaims<AdjustmentResolutionRecord>
  implements AdjustmentResolutionStore
{
  constructor(options: RepositoryOptions) {
    super(
      options,
      keys.adjustmentResolution,
      (item) => adjustmentResolutionRecordSchema.parse(item),
      (claim) => claim.adjustmentId,
    );
  }

  async commit({ claim, adjustment, patch, answer, trail }: AdjustmentResolutionCommit): Promise<void> {
    const now = this.now().toISOString();
    try {
      await transactWrite(this.client, {
        TransactItems: [
          {
            Update: {
              TableName: this.table,
              Key: keys.adjustment(adjustment.customerId, adjustment.idempotencyKey),
              ...conditionalStatusUpdate(
                {
                  ...withoutUndefined(patch),
                  gsi2pk: keys.adjustmentStatus(patch.status),
                  updatedAt: now,
                },
                ["needs_review"] satisfies AdjustmentStatus[],
              ),
            },
          },
          this.resolvedItem(claim.adjustmentId, claim, { answer, trail, now }),
        ],
      });
    } catch (error) {
      throw commitRefusal(error, ["adjustment", "claim"]);
    }
  }
}
