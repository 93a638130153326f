import { Conflict, NotFound } from "../../errors";
import {
  type ConversionRecord,
  type ConversionStatus,
  conversionRecordSchema,
  conversionStatusSchema,
  terminalConversionStatuses,
} from "../../store/conversion-records";
import { ConversionStatusConflict, DailyLimitExceeded } from "../../store/errors";
import type {
  ConversionPatch,
  ConversionStore,
  NewConversion,
  Page,
  PageRequest,
  ReleaseOptions,
  ReleaseResult,
  ReservationResult,
} from "../../store/ports";
import { isConditionalCheckFailed, isTransactionCanceled } from "./client";
import {
  DynamoStore,
  epochSeconds,
  failedCondition,
  type Item,
  type RepositoryOptions,
  rawNumber,
  rawString,
  transactWrite,
  withoutUndefined,
} from "./common";
import * as keys from "./keys";
import { customerIndexPrefixes } from "./keys";
import { listByCustomerIndex, listByStatusIndex } from "./listings";

export interface ConversionStoreOptions extends RepositoryOptions {
  /** Points a customer may convert per shop-local day (design: 10,000). */
  dailyLimitPoints?: number;
  /** How long a reservation blocks the customer's next conversion if the saga never releases it. */
  leaseSeconds?: number;
  /** How long an idempotency key is remembered (Step Functions execution names are unique for 90 days). */
  idempotencyDays?: number;
}

const day = 24 * 60 * 60 * 1000;

const RETRY_AFTER_CAP_SECONDS = 3;

/** The attributes a patch sets on a conversion item: a new status moves it in the status index. */
export function conversionUpdate(patch: ConversionPatch, now: string): Item {
  const fields: Item = { ...withoutUndefined(patch), updatedAt: now };
  if (patch.status !== undefined) fields.gsi2pk = keys.conversionStatus(patch.status);
  return fields;
}

/**
 * A conversion's record once it exists: read, moved between statuses and released. The saga steps
 * and the resolutions use this; what lists conversions uses `DynamoConversionListings`, and only
 * the conversion request also reserves (`DynamoConversionStore`), so the others' bundles carry
 * neither the listings' paging nor the reservation code.
 */
export class DynamoConversionRecords
  extends DynamoStore
  implements
    Omit<
      ConversionStore,
      "reserveConversion" | "findByIdempotencyKey" | "listConversionsByCustomer" | "listConversionsByStatus"
    >
{
  async getConversion(conversionId: string): Promise<ConversionRecord | undefined> {
    const result = await this.client.get({
      TableName: this.table,
      Key: keys.conversion(conversionId),
      ConsistentRead: true,
    });
    return result.Item === undefined ? undefined : conversionRecordSchema.parse(result.Item);
  }

  async updateConversion(
    conversionId: string,
    expectedStatuses: readonly ConversionStatus[],
    patch: ConversionPatch,
  ): Promise<ConversionRecord> {
    if (expectedStatuses.length === 0) throw new Error("updateConversion needs at least one expected status");
    const leavesTerminal = expectedStatuses.some(
      (status) =>
        terminalConversionStatuses.includes(status) && patch.status !== undefined && patch.status !== status,
    );
    // A programming error, not a race: a finished conversion keeps its outcome.
    if (leavesTerminal) throw new Error(`A finished conversion cannot move to ${patch.status}`);

    return this.updateFromStatus(
      keys.conversion(conversionId),
      conversionUpdate(patch, this.now().toISOString()),
      expectedStatuses,
      (item) => conversionRecordSchema.parse(item),
      {
        missing: () => new NotFound("conversion_not_found", `Conversion ${conversionId} does not exist`),
        conflict: (current) => {
          const status = conversionStatusSchema.safeParse(current);
          return new ConversionStatusConflict(
            conversionId,
            status.success ? status.data : undefined,
            expectedStatuses,
          );
        },
      },
    );
  }

  async releaseReservation(
    conversionId: string,
    customerId: string,
    options: ReleaseOptions = {},
  ): Promise<ReleaseResult> {
    // Refund before releasing the lease, so the customer's next conversion sees the right total.
    const dailyPointsRefunded =
      options.refundDailyPoints === undefined
        ? false
        : await this.#refundDailyPoints(conversionId, customerId, options.refundDailyPoints);

    try {
      await this.client.delete({
        TableName: this.table,
        Key: keys.lease(customerId),
        ConditionExpression: "holder = :holder",
        ExpressionAttributeValues: { ":holder": conversionId },
      });
      return { leaseReleased: true, dailyPointsRefunded };
    } catch (error) {
      // Already released, or expired and taken by a later conversion: not ours to delete.
      if (isConditionalCheckFailed(error)) return { leaseReleased: false, dailyPointsRefunded };
      throw error;
    }
  }

  /** The flag on the conversion and the subtraction commit together, so a second call changes nothing. */
  async #refundDailyPoints(
    conversionId: string,
    customerId: string,
    refund: { shopDate: string; points: number },
  ): Promise<boolean> {
    try {
      await transactWrite(this.client, {
        TransactItems: [
          {
            Update: {
              TableName: this.table,
              Key: keys.conversion(conversionId),
              UpdateExpression: "SET dailyRefunded = :true, updatedAt = :now",
              // The refund must be the one this conversion counted, against the same customer and day.
              ConditionExpression:
                "attribute_exists(pk) AND attribute_not_exists(dailyRefunded) AND customerId = :customer " +
                "AND #points = :points AND shopDate = :shopDate",
              ExpressionAttributeNames: { "#points": "points" },
              ExpressionAttributeValues: {
                ":true": true,
                ":now": this.now().toISOString(),
                ":customer": customerId,
                ":points": refund.points,
                ":shopDate": refund.shopDate,
              },
              ReturnValuesOnConditionCheckFailure: "ALL_OLD",
            },
          },
          {
            Update: {
              TableName: this.table,
              Key: keys.daily(customerId, refund.shopDate),
              UpdateExpression: "ADD #points :minus",
              ConditionExpression: "#points >= :points",
              ExpressionAttributeNames: { "#points": "points" },
              ExpressionAttributeValues: { ":minus": -refund.points, ":points": refund.points },
            },
          },
        ],
      });
      return true;
    } catch (error) {
      if (!isTransactionCanceled(error)) throw error;
      const [record, daily] = error.CancellationReasons ?? [];
      if (failedCondition(record)) {
        if (record?.Item === undefined) {
          throw new NotFound("conversion_not_found", `Conversion ${conversionId} does not exist`);
        }
        if (record.Item.dailyRefunded !== undefined) return false;
        throw new Error(
          `Refund of ${refund.points} points on ${refund.shopDate} does not match ${conversionId}`,
        );
      }
      if (failedCondition(daily)) {
        throw new Error(
          `Daily total of customer ${customerId} on ${refund.shopDate} is below ${refund.points}`,
        );
      }
      throw error;
    }
  }
}

/** Conversions listed too: a customer's, and those in one status (the reconciler, staff, late deductions). */
export class DynamoConversionListings
  extends DynamoConversionRecords
  implements Omit<ConversionStore, "reserveConversion" | "findByIdempotencyKey">
{
  listConversionsByCustomer(customerId: string, page: PageRequest): Promise<Page<ConversionRecord>> {
    return listByCustomerIndex(
      this.client,
      this.table,
      customerId,
      customerIndexPrefixes.conversion,
      page,
      (item) => conversionRecordSchema.parse(item),
    );
  }

  listConversionsByStatus(status: ConversionStatus, page: PageRequest): Promise<Page<ConversionRecord>> {
    const gsi2pk = keys.conversionStatus(conversionStatusSchema.parse(status));
    return listByStatusIndex(this.client, this.table, gsi2pk, page, (item) =>
      conversionRecordSchema.parse(item),
    );
  }
}

/** The whole conversion store: the records, plus the reservation a conversion request makes. */
export class DynamoConversionStore extends DynamoConversionListings implements ConversionStore {
  readonly #dailyLimit: number;
  readonly #leaseMs: number;
  readonly #idempotencyMs: number;

  constructor(options: ConversionStoreOptions) {
    super(options);
    this.#dailyLimit = options.dailyLimitPoints ?? 10_000;
    this.#leaseMs = (options.leaseSeconds ?? 300) * 1000;
    this.#idempotencyMs = (options.idempotencyDays ?? 90) * day;
  }

  async reserveConversion(input: NewConversion): Promise<ReservationResult> {
    const now = this.now();
    const nowMs = now.getTime();
    const conversion = conversionRecordSchema.parse({
      ...input,
      status: "reserved",
      createdAt: now.toISOString(),
      updatedAt: now.toISOString(),
    });
    const { customerId, conversionId, points, shopDate } = conversion;
    if (points > this.#dailyLimit) {
      // The daily condition below cannot express this (the limit minus the points is negative).
      throw new DailyLimitExceeded(
        points,
        this.#dailyLimit,
        await this.#remainingToday(customerId, shopDate),
      );
    }
    const leaseExpiresAt = nowMs + this.#leaseMs;

    try {
      await transactWrite(this.client, {
        TransactItems: [
          {
            Put: {
              TableName: this.table,
              Item: {
                ...keys.idempotency(customerId, conversion.idempotencyKey),
                conversionId,
                requestHash: conversion.requestHash,
                createdAt: conversion.createdAt,
                ttl: epochSeconds(nowMs + this.#idempotencyMs),
              },
              ConditionExpression: "attribute_not_exists(pk)",
              ReturnValuesOnConditionCheckFailure: "ALL_OLD",
            },
          },
          {
            Put: {
              TableName: this.table,
              Item: this.#conversionItem(conversion),
              ConditionExpression: "attribute_not_exists(pk)",
            },
          },
          {
            Put: {
              TableName: this.table,
              Item: {
                ...keys.lease(customerId),
                holder: conversionId,
                leaseExpiresAt,
                acquiredAt: conversion.createdAt,
                // Expiry is decided by leaseExpiresAt; TTL only tidies up, a day later.
                ttl: epochSeconds(leaseExpiresAt + day),
              },
              ConditionExpression: "attribute_not_exists(pk) OR leaseExpiresAt < :now",
              ExpressionAttributeValues: { ":now": nowMs },
              ReturnValuesOnConditionCheckFailure: "ALL_OLD",
            },
          },
          {
            Update: {
              TableName: this.table,
              Key: keys.daily(customerId, shopDate),
              UpdateExpression: "ADD #points :points SET #ttl = if_not_exists(#ttl, :ttl)",
              ConditionExpression: "attribute_not_exists(#points) OR #points <= :limitMinusPoints",
              ExpressionAttributeNames: { "#points": "points", "#ttl": "ttl" },
              ExpressionAttributeValues: {
                ":points": points,
                ":limitMinusPoints": this.#dailyLimit - points,
                // Kept well past the day so a late release can still refund it.
                ":ttl": epochSeconds(Date.parse(`${shopDate}T00:00:00Z`) + 35 * day),
              },
              ReturnValuesOnConditionCheckFailure: "ALL_OLD",
            },
          },
        ],
      });
      return { outcome: "reserved", conversion };
    } catch (error) {
      if (!isTransactionCanceled(error)) throw error;
      const [idempotency, record, lease, daily] = error.CancellationReasons ?? [];
      if (failedCondition(idempotency)) {
        const existingId = rawString(idempotency?.Item, "conversionId");
        const existing = existingId === undefined ? undefined : await this.getConversion(existingId);
        if (existing === undefined) {
          throw new Error(`Idempotency record of customer ${customerId} points to no conversion`, {
            cause: error,
          });
        }
        return { outcome: "existing", conversion: existing };
      }
      if (failedCondition(lease)) {
        const heldUntil = rawNumber(lease?.Item, "leaseExpiresAt") ?? leaseExpiresAt;
        // A conversion usually finishes (and frees the lease) within seconds; the lease's expiry
        // is only the worst case, so suggest a short wait.
        const retryAfterSeconds = Math.min(
          RETRY_AFTER_CAP_SECONDS,
          Math.max(1, Math.ceil((heldUntil - nowMs) / 1000)),
        );
        throw new Conflict(
          "conversion_in_progress",
          `Another conversion for this customer is in progress; try again in ${retryAfterSeconds} seconds.`,
          retryAfterSeconds,
        );
      }
      if (failedCondition(daily)) {
        const convertedToday = rawNumber(daily?.Item, "points") ?? 0;
        throw new DailyLimitExceeded(
          points,
          this.#dailyLimit,
          Math.max(0, this.#dailyLimit - convertedToday),
        );
      }
      if (failedCondition(record)) {
        throw new Error(`Conversion id ${conversionId} is already taken`, { cause: error });
      }
      // Still conflicting after retries: a concurrent request for the same customer is being written.
      throw new Conflict(
        "conversion_in_progress",
        "Another conversion for this customer is in progress; try again shortly.",
        1,
      );
    }
  }

  async findByIdempotencyKey(
    customerId: string,
    idempotencyKey: string,
  ): Promise<ConversionRecord | undefined> {
    const result = await this.client.get({
      TableName: this.table,
      Key: keys.idempotency(customerId, idempotencyKey),
      ConsistentRead: true,
    });
    const conversionId: unknown = result.Item?.conversionId;
    return typeof conversionId === "string" ? this.getConversion(conversionId) : undefined;
  }

  async #remainingToday(customerId: string, shopDate: string): Promise<number> {
    const result = await this.client.get({
      TableName: this.table,
      Key: keys.daily(customerId, shopDate),
      ConsistentRead: true,
    });
    const converted: unknown = result.Item?.points;
    return Math.max(0, this.#dailyLimit - (typeof converted === "number" ? converted : 0));
  }

  #conversionItem(conversion: ConversionRecord): Item {
    return {
      ...keys.conversion(conversion.conversionId),
      gsi1pk: keys.customer(conversion.customerId),
      gsi1sk: `${customerIndexPrefixes.conversion}${conversion.createdAt}#${conversion.conversionId}`,
      gsi2pk: keys.conversionStatus(conversion.status),
      gsi2sk: conversion.createdAt,
      ...withoutUndefined(conversion),
    };
  }
}
