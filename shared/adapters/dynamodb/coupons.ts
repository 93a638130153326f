import { Conflict, NotFound } from "../../errors";
import { CouponStatusConflict } from "../../store/errors";
import type { CouponPatch, CouponStore, NewCoupon, Page, PageRequest } from "../../store/ports";
import {
  type CouponRecord,
  type CouponStatus,
  couponRecordSchema,
  couponStatusSchema,
} from "../../store/records";
import { loyaltyIndexes } from "../../tables";
import { isConditionalCheckFailed } from "./client";
import {
  DynamoStore,
  type Item,
  type KeyMove,
  type RepositoryOptions,
  rawString,
  withoutUndefined,
} from "./common";
import * as keys from "./keys";
import { customerIndexPrefixes } from "./keys";
import { listByCustomerIndex } from "./listings";

type Listed = Pick<CouponRecord, "code" | "status" | "expiresAt" | "createdAt">;

/**
 * Where a coupon is listed besides its customer, newest first by `gsi2sk = <createdAt>#<CODE>`:
 * - byStatus: the partition of its status, `COUPONS#<status>`;
 * - byActivity: while active, `COUPONS#active` by its end (`gsi3sk = expiresAt`), so the coupons
 *   that ran out are a key range; otherwise `COUPONS#others` by `gsi2sk`, so all coupons are two
 *   partitions (active, others).
 * Nothing writes a coupon when it runs out: the expiry sweep (`DynamoCouponExpiry`) moves it then, to
 * `COUPONS#expired` and `COUPONS#others`, leaving its record (`active` past its end reads expired).
 */
export function couponIndexKeys(coupon: Listed): Item {
  const gsi2pk = keys.couponStatus(coupon.status);
  const gsi2sk = `${coupon.createdAt}#${coupon.code}`;
  return coupon.status === "active"
    ? { gsi2pk, gsi2sk, gsi3pk: gsi2pk, gsi3sk: coupon.expiresAt }
    : { gsi2pk, gsi2sk, gsi3pk: keys.otherCoupons, gsi3sk: gsi2sk };
}

/**
 * The keys a coupon has by `now` once written and swept: an active coupon already past its end is
 * where the sweep puts it (for the backfill, which does the sweep's work at once).
 */
export function couponIndexKeysAt(coupon: Listed, now: Date): Item {
  const ranOut = coupon.status === "active" && coupon.expiresAt <= now.toISOString();
  return couponIndexKeys(ranOut ? { ...coupon, status: "expired" } : coupon);
}

/**
 * `couponIndexKeys` for an update that sets `status`, whose byActivity sort key is one of the
 * item's own attributes (`expiresAt` while active, else `gsi2sk`).
 */
export function couponIndexUpdate(status: CouponStatus): { fields: Item; move: KeyMove } {
  const gsi2pk = keys.couponStatus(status);
  return status === "active"
    ? { fields: { gsi2pk, gsi3pk: gsi2pk }, move: { copy: { gsi3sk: "expiresAt" } } }
    : { fields: { gsi2pk, gsi3pk: keys.otherCoupons }, move: { copy: { gsi3sk: "gsi2sk" } } };
}

/**
 * The byActivity query of the active coupons that ran out by `now` (a key range, as their end is
 * the sort key): what the expiry sweep moves and what a listing still reads as expired.
 */
export function ranOutQuery(table: string, now: Date) {
  return {
    TableName: table,
    IndexName: loyaltyIndexes.byActivity,
    KeyConditionExpression: "gsi3pk = :pk AND gsi3sk <= :now",
    ExpressionAttributeValues: { ":pk": keys.couponStatus("active"), ":now": now.toISOString() },
  };
}

/** How many ran-out coupons one sweep moves at most; the next run goes on with the rest. */

/** A new coupon as stored: the record (code upper-cased) and its item, index keys included. */
export function newCouponItem(input: NewCoupon, now: string): { coupon: CouponRecord; item: Item } {
  const coupon = couponRecordSchema.parse({
    ...input,
    code: input.code.toUpperCase(),
    createdAt: now,
    updatedAt: now,
  });
  return {
    coupon,
    item: {
      ...keys.coupon(coupon.code),
      gsi1pk: keys.customer(coupon.customerId),
      gsi1sk: `${customerIndexPrefixes.coupon}${coupon.createdAt}#${coupon.code}`,
      ...couponIndexKeys(coupon),
      ...withoutUndefined(coupon),
    },
  };
}

/** Coupons read one by its code. What only reads them carries no writes, nor the listings' paging. */
export class DynamoCouponReader extends DynamoStore implements Pick<CouponStore, "getCoupon"> {
  constructor(options: RepositoryOptions) {
    super(options);
  }

  async getCoupon(code: string): Promise<CouponRecord | undefined> {
    const result = await this.client.get({
      TableName: this.table,
      Key: keys.coupon(code),
      ConsistentRead: true,
    });
    return result.Item === undefined ? undefined : couponRecordSchema.parse(result.Item);
  }
}

/** A customer's coupons too, newest first. */
export class DynamoCouponListings
  extends DynamoCouponReader
  implements Pick<CouponStore, "getCoupon" | "listCouponsByCustomer">
{
  listCouponsByCustomer(customerId: string, page: PageRequest): Promise<Page<CouponRecord>> {
    return listByCustomerIndex(
      this.client,
      this.table,
      customerId,
      customerIndexPrefixes.coupon,
      page,
      (item) => couponRecordSchema.parse(item),
    );
  }
}

export class DynamoCouponStore extends DynamoCouponListings implements CouponStore {
  async putCoupon(input: NewCoupon): Promise<{ created: boolean; coupon: CouponRecord }> {
    const { coupon, item } = newCouponItem(input, this.now().toISOString());
    try {
      await this.client.put({
        TableName: this.table,
        Item: item,
        // Never overwrite: a retried write must not reset a coupon that was used or cancelled since.
        ConditionExpression: "attribute_not_exists(pk)",
        ReturnValuesOnConditionCheckFailure: "ALL_OLD",
      });
      return { created: true, coupon };
    } catch (error) {
      if (!isConditionalCheckFailed(error)) throw error;
      if (rawString(error.Item, "conversionId") !== coupon.conversionId) {
        throw new Conflict("coupon_code_taken", `Coupon code ${coupon.code} belongs to another conversion`);
      }
      const existing = await this.getCoupon(coupon.code);
      if (existing === undefined) throw new Error(`Coupon ${coupon.code} vanished while being written`);
      return { created: false, coupon: existing };
    }
  }

  async updateCouponStatus(
    code: string,
    expectedStatuses: readonly CouponStatus[],
    patch: CouponPatch,
  ): Promise<CouponRecord> {
    if (expectedStatuses.length === 0)
      throw new Error("updateCouponStatus needs at least one expected status");
    const upperCode = code.toUpperCase();
    const index = patch.status === undefined ? undefined : couponIndexUpdate(patch.status);
    const fields: Item = {
      ...withoutUndefined(patch),
      ...index?.fields,
      updatedAt: this.now().toISOString(),
    };
    return this.updateFromStatus(
      keys.coupon(upperCode),
      fields,
      expectedStatuses,
      (item) => couponRecordSchema.parse(item),
      {
        missing: () => new NotFound("coupon_not_found", `Coupon ${upperCode} does not exist`),
        conflict: (current) => {
          const status = couponStatusSchema.safeParse(current);
          return new CouponStatusConflict(
            upperCode,
            status.success ? status.data : undefined,
            expectedStatuses,
          );
        },
      },
      undefined,
      index?.move,
    );
  }
}
