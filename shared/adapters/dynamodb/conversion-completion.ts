import type { ConversionCompletion, FirstCompletion } from "../../store/ports";
import { auditEventPuts } from "./audit";
import { isConditionalCheckFailed, isTransactionCanceled } from "./client";
import {
  conditionalStatusUpdate,
  DynamoStore,
  failedCondition,
  type RepositoryOptions,
  transactWrite,
} from "./common";
import { conversionUpdate } from "./conversions";
import { newCouponItem } from "./coupons";
import * as keys from "./keys";

/**
 * The deduction's writes: its one attempt's start mark (`DeductPoints`), and a conversion's first
 * completion as one transaction: the coupon's item as `DynamoCouponStore` writes it, the
 * conversion's update as `DynamoConversionRecords.updateConversion` makes it (`conversionUpdate`),
 * the lease's delete as `releaseReservation` makes it, and the trail's puts in the audit table as
 * `DynamoAuditTrail` writes them (`auditEventPuts`). A class of its own, so that only the functions
 * that deduct or complete carry it.
 */
export class DynamoConversionCompletion extends DynamoStore implements ConversionCompletion {
  readonly #auditTable: string;

  constructor(options: RepositoryOptions & { auditTableName: string }) {
    super(options);
    this.#auditTable = options.auditTableName;
  }

  async markDeductionStarted(conversionId: string, at: Date): Promise<boolean> {
    try {
      await this.client.update({
        TableName: this.table,
        Key: keys.conversion(conversionId),
        UpdateExpression: "SET deductionStartedAt = :at, updatedAt = :now",
        ConditionExpression:
          "attribute_exists(pk) AND #status = :reserved AND attribute_not_exists(deductionStartedAt)",
        ExpressionAttributeNames: { "#status": "status" },
        ExpressionAttributeValues: {
          ":at": at.toISOString(),
          ":now": this.now().toISOString(),
          ":reserved": "reserved",
        },
      });
      return true;
    } catch (error) {
      if (isConditionalCheckFailed(error)) return false;
      throw error;
    }
  }

  async completeConversion({
    conversionId,
    customerId,
    coupon,
    patch,
    trail,
  }: FirstCompletion): Promise<boolean> {
    const at = this.now();
    const now = at.toISOString();
    const trailPuts = trail.flatMap((entry) => auditEventPuts(this.#auditTable, entry, at).puts);
    try {
      await transactWrite(this.client, {
        TransactItems: [
          {
            Update: {
              TableName: this.table,
              Key: keys.conversion(conversionId),
              ...conditionalStatusUpdate(conversionUpdate(patch, now), ["reserved"]),
            },
          },
          {
            Put: {
              TableName: this.table,
              Item: newCouponItem(coupon, now).item,
              ConditionExpression: "attribute_not_exists(pk)",
            },
          },
          {
            Delete: {
              TableName: this.table,
              Key: keys.lease(customerId),
              // Gone already (a delete of nothing), or ours: freed. A later conversion's: refused.
              ConditionExpression: "attribute_not_exists(pk) OR holder = :holder",
              ExpressionAttributeValues: { ":holder": conversionId },
            },
          },
          ...trailPuts.map((Put) => ({ Put })),
        ],
      });
      return true;
    } catch (error) {
      if (isTransactionCanceled(error) && (error.CancellationReasons ?? []).some(failedCondition))
        return false;
      throw error;
    }
  }
}
