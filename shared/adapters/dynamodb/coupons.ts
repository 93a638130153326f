import { Conflict, NotFound } from "../../errors";
import { CouponStatusConflict } from "../../store/errors";
import type { CouponPatch, CouponStore, NewCoupon, Page, PageRequest } from "../../store/ports";
import {
  type CouponRecord,
  type CouponStatus,
  couponRecordSchema,
  couponStatusSchema,
} from "../../store/records";
import { isConditionalCheckFailed } from "./client";
import { DynamoStore, type Item, type RepositoryOptions, rawString, withoutUndefined } from "./common";
import { customerIndexPrefixes, keys } from "./keys";

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
      gsi2pk: keys.allCoupons,
      gsi2sk: `${coupon.createdAt}#${coupon.code}`,
      ...withoutUndefined(coupon),
    },
  };
}

export class DynamoCouponStore extends DynamoStore implements CouponStore {
  constructor(options: RepositoryOptions) {
    super(options);
  }

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

  async getCoupon(code: string): Promise<CouponRecord | undefined> {
    const result = await this.client.get({
      TableName: this.table,
      Key: keys.coupon(code),
      ConsistentRead: true,
    });
    return result.Item === undefined ? undefined : couponRecordSchema.parse(result.Item);
  }

  listCouponsByCustomer(customerId: string, page: PageRequest): Promise<Page<CouponRecord>> {
    return this.listByCustomerIndex(customerId, customerIndexPrefixes.coupon, page, (item) =>
      couponRecordSchema.parse(item),
    );
  }

  listCoupons({ status, ...page }: { status?: CouponStatus } & PageRequest): Promise<Page<CouponRecord>> {
    return this.listByStatusIndex(
      keys.allCoupons,
      page,
      (item) => couponRecordSchema.parse(item),
      status === undefined
        ? undefined
        : {
            FilterExpression: "#status = :status",
            ExpressionAttributeNames: { "#status": "status" },
            values: { ":status": couponStatusSchema.parse(status) },
          },
    );
  }

  async updateCouponStatus(
    code: string,
    expectedStatuses: readonly CouponStatus[],
    patch: CouponPatch,
  ): Promise<CouponRecord> {
    if (expectedStatuses.length === 0)
      throw new Error("updateCouponStatus needs at least one expected status");
    const upperCode = code.toUpperCase();
    const fields: Item = { ...withoutUndefined(patch), updatedAt: this.now().toISOString() };
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
    );
  }
}
