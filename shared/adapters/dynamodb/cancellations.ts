import type { BeginResult, CancellationStore } from "../../cancellation/ports";
import {
  type CancellationPatch,
  type CancellationRecord,
  type CancellationStatus,
  cancellationRecordSchema,
  cancellationStatusSchema,
  type NewCancellation,
  type RefundGuard,
  refundGuardSchema,
} from "../../cancellation/records";
import { Conflict, NotFound } from "../../errors";
import type { Page, PageRequest } from "../../store";
import { type CouponStatus, couponStatusSchema } from "../../store";
import { isConditionalCheckFailed, isTransactionCanceled } from "./client";
import {
  DynamoStore,
  failedCondition,
  type Item,
  type RepositoryOptions,
  transactWrite,
  withoutUndefined,
} from "./common";
import * as keys from "./keys";
import { listByStatusIndex } from "./listings";

/**
 * Cancellations in the loyalty table (`pk = CANCEL#<cancellationId>`, listed by status in the
 * byStatus index under `gsi2pk = CANCELSTATUS#<status>`, newest first), and the cancellation's
 * guards on the coupon item: `cancellationId` (who holds a `cancelling` coupon) and the refund
 * attempt fields. The coupon store's schema does not know those attributes and leaves them alone.
 */

/** What a cancellation leaves on its coupon: who holds it, and the refund attempts' guard. */
export const refundGuardAttributes = [
  "cancellationId",
  "refundStartedAt",
  "refundAttempts",
  "refundBalanceBefore",
];

/**
 * Cancellations and the refund guard read. What only reads them (the resolution) carries no
 * writes, nor the listings' paging.
 */
export class DynamoCancellationReader
  extends DynamoStore
  implements Pick<CancellationStore, "getCancellation" | "refundGuardOf">
{
  constructor(options: RepositoryOptions) {
    super(options);
  }

  async getCancellation(cancellationId: string): Promise<CancellationRecord | undefined> {
    const result = await this.client.get({
      TableName: this.table,
      Key: keys.cancellation(cancellationId),
      ConsistentRead: true,
    });
    return result.Item === undefined ? undefined : cancellationRecordSchema.parse(result.Item);
  }

  async refundGuardOf(code: string): Promise<RefundGuard | undefined> {
    const result = await this.client.get({
      TableName: this.table,
      Key: keys.coupon(code),
      ConsistentRead: true,
      ProjectionExpression: ["pk", ...refundGuardAttributes].join(", "),
    });
    if (result.Item === undefined) return undefined;
    const { pk: _pk, ...guard } = result.Item;
    return refundGuardSchema.parse(guard);
  }
}

/** Cancellations listed by status too (the reconciler, staff). */
export class DynamoCancellationListings
  extends DynamoCancellationReader
  implements Pick<CancellationStore, "getCancellation" | "listCancellationsByStatus" | "refundGuardOf">
{
  listCancellationsByStatus(
    status: CancellationStatus,
    page: PageRequest,
  ): Promise<Page<CancellationRecord>> {
    const gsi2pk = keys.cancellationStatus(cancellationStatusSchema.parse(status));
    return listByStatusIndex(this.client, this.table, gsi2pk, page, (item) =>
      cancellationRecordSchema.parse(item),
    );
  }
}

export class DynamoCancellationStore extends DynamoCancellationListings implements CancellationStore {
  async beginCancellation(request: NewCancellation): Promise<BeginResult> {
    const now = this.now().toISOString();
    const cancellation = cancellationRecordSchema.parse({
      ...request,
      code: request.code.toUpperCase(),
      status: "running",
      createdAt: now,
      updatedAt: now,
    });
    try {
      await transactWrite(this.client, {
        TransactItems: [
          {
            Put: {
              TableName: this.table,
              Item: {
                ...keys.cancellation(cancellation.cancellationId),
                gsi2pk: keys.cancellationStatus(cancellation.status),
                gsi2sk: cancellation.createdAt,
                ...withoutUndefined(cancellation),
              },
              ConditionExpression: "attribute_not_exists(pk)",
            },
          },
          {
            Update: {
              TableName: this.table,
              Key: keys.coupon(cancellation.code),
              // The coupon's index keys move with its status (couponIndexKeys).
              UpdateExpression:
                "SET #status = :cancelling, cancellationId = :id, updatedAt = :now, gsi2pk = :listed, " +
                "gsi3pk = :others, gsi3sk = gsi2sk",
              ConditionExpression: "attribute_exists(pk) AND #status = :active",
              ExpressionAttributeNames: { "#status": "status" },
              ExpressionAttributeValues: {
                ":cancelling": "cancelling" satisfies CouponStatus,
                ":active": "active" satisfies CouponStatus,
                ":id": cancellation.cancellationId,
                ":now": now,
                ":listed": keys.couponStatus("cancelling"),
                ":others": keys.otherCoupons,
              },
            },
          },
        ],
      });
      return { outcome: "started", cancellation };
    } catch (error) {
      if (!isTransactionCanceled(error)) throw error;
      const [put, update] = error.CancellationReasons ?? [];
      if (failedCondition(put)) {
        const existing = await this.getCancellation(cancellation.cancellationId);
        if (existing) return { outcome: "existing", cancellation: existing };
      }
      if (failedCondition(update)) {
        return { outcome: "coupon_not_active", couponStatus: await this.#couponStatus(cancellation.code) };
      }
      throw error;
    }
  }

  async updateCancellation(
    cancellationId: string,
    expected: readonly CancellationStatus[],
    patch: CancellationPatch,
  ): Promise<CancellationRecord> {
    const fields: Item = { ...withoutUndefined(patch), updatedAt: this.now().toISOString() };
    if (patch.status !== undefined) fields.gsi2pk = keys.cancellationStatus(patch.status);
    return this.updateFromStatus(
      keys.cancellation(cancellationId),
      fields,
      expected,
      (item) => cancellationRecordSchema.parse(item),
      {
        missing: () =>
          new NotFound("cancellation_not_found", `Cancellation ${cancellationId} does not exist`),
        conflict: (current) =>
          new Conflict(
            "cancellation_status_conflict",
            `Cancellation ${cancellationId} is ${current ?? "in an unknown state"}, expected ${expected.join(" or ")}`,
          ),
      },
    );
  }

  async markRefundStarted(
    code: string,
    cancellationId: string,
    attempt: number,
    at: Date,
    balanceBefore: number,
  ): Promise<boolean> {
    if (!Number.isInteger(attempt) || attempt < 1) throw new RangeError(`Invalid refund attempt ${attempt}`);
    const previous =
      attempt === 1 ? "attribute_not_exists(refundAttempts)" : "refundAttempts = :previousAttempts";
    try {
      await this.client.update({
        TableName: this.table,
        Key: keys.coupon(code),
        // The first attempt's start and balance stay: reconciliation looks from there.
        UpdateExpression:
          "SET refundAttempts = :attempt, refundStartedAt = if_not_exists(refundStartedAt, :at), " +
          "refundBalanceBefore = if_not_exists(refundBalanceBefore, :balance), updatedAt = :now",
        ConditionExpression: `#status = :cancelling AND cancellationId = :id AND ${previous}`,
        ExpressionAttributeNames: { "#status": "status" },
        ExpressionAttributeValues: {
          ":attempt": attempt,
          ":at": at.toISOString(),
          ":balance": balanceBefore,
          ":now": this.now().toISOString(),
          ":cancelling": "cancelling" satisfies CouponStatus,
          ":id": cancellationId,
          ...(attempt === 1 ? {} : { ":previousAttempts": attempt - 1 }),
        },
      });
      return true;
    } catch (error) {
      if (isConditionalCheckFailed(error)) return false;
      throw error;
    }
  }

  async releaseCoupon(code: string, cancellationId: string): Promise<boolean> {
    try {
      await this.client.update({
        TableName: this.table,
        Key: keys.coupon(code),
        // Back in the active partitions (couponIndexKeys), byActivity by its own end.
        UpdateExpression:
          "SET #status = :active, updatedAt = :now, gsi2pk = :listed, gsi3pk = :listed, gsi3sk = expiresAt " +
          `REMOVE ${refundGuardAttributes.join(", ")}`,
        ConditionExpression: "#status = :cancelling AND cancellationId = :id",
        ExpressionAttributeNames: { "#status": "status" },
        ExpressionAttributeValues: {
          ":active": "active" satisfies CouponStatus,
          ":cancelling": "cancelling" satisfies CouponStatus,
          ":id": cancellationId,
          ":now": this.now().toISOString(),
          ":listed": keys.couponStatus("active"),
        },
      });
      return true;
    } catch (error) {
      if (isConditionalCheckFailed(error)) return false;
      throw error;
    }
  }

  async #couponStatus(code: string): Promise<CouponStatus | undefined> {
    const result = await this.client.get({
      TableName: this.table,
      Key: keys.coupon(code),
      ConsistentRead: true,
      ProjectionExpression: "#status",
      ExpressionAttributeNames: { "#status": "status" },
    });
    const parsed = couponStatusSchema.safeParse(result.Item?.status);
    return parsed.success ? parsed.data : undefined;
  }
}
