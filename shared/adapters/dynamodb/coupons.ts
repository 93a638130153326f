import { ConditionalCheckFailedException } from "@aws-sdk/client-dynamodb";
import { type DynamoDBDocumentClient, GetCommand, PutCommand, UpdateCommand } from "@aws-sdk/lib-dynamodb";
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
import {
  conditionalStatusUpdate,
  type Item,
  queryPage,
  type RepositoryOptions,
  rawString,
  withoutUndefined,
} from "./common";
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

export class DynamoCouponStore implements CouponStore {
  readonly #client: DynamoDBDocumentClient;
  readonly #table: string;
  readonly #now: () => Date;

  constructor(options: RepositoryOptions) {
    this.#client = options.client;
    this.#table = options.tableName;
    this.#now = options.now ?? (() => new Date());
  }

  async putCoupon(input: NewCoupon): Promise<{ created: boolean; coupon: CouponRecord }> {
    const { coupon, item } = newCouponItem(input, this.#now().toISOString());
    try {
      await this.#client.send(
        new PutCommand({
          TableName: this.#table,
          Item: item,
          // Never overwrite: a retried write must not reset a coupon that was used or cancelled since.
          ConditionExpression: "attribute_not_exists(pk)",
          ReturnValuesOnConditionCheckFailure: "ALL_OLD",
        }),
      );
      return { created: true, coupon };
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
      if (rawString(error.Item, "conversionId") !== coupon.conversionId) {
        throw new Conflict("coupon_code_taken", `Coupon code ${coupon.code} belongs to another conversion`);
      }
      const existing = await this.getCoupon(coupon.code);
      if (existing === undefined) throw new Error(`Coupon ${coupon.code} vanished while being written`);
      return { created: false, coupon: existing };
    }
  }

  async getCoupon(code: string): Promise<CouponRecord | undefined> {
    const result = await this.#client.send(
      new GetCommand({ TableName: this.#table, Key: keys.coupon(code), ConsistentRead: true }),
    );
    return result.Item === undefined ? undefined : couponRecordSchema.parse(result.Item);
  }

  listCouponsByCustomer(customerId: string, page: PageRequest): Promise<Page<CouponRecord>> {
    const gsi1pk = keys.customer(customerId);
    return queryPage(
      this.#client,
      {
        TableName: this.#table,
        IndexName: loyaltyIndexes.byCustomer,
        KeyConditionExpression: "gsi1pk = :pk AND begins_with(gsi1sk, :prefix)",
        ExpressionAttributeValues: { ":pk": gsi1pk, ":prefix": customerIndexPrefixes.coupon },
        ScanIndexForward: false,
      },
      page,
      { gsi1pk },
      (item) => couponRecordSchema.parse(item),
    );
  }

  listCoupons({ status, ...page }: { status?: CouponStatus } & PageRequest): Promise<Page<CouponRecord>> {
    const gsi2pk = keys.allCoupons;
    const byStatus =
      status === undefined
        ? {}
        : {
            FilterExpression: "#status = :status",
            ExpressionAttributeNames: { "#status": "status" },
          };
    return queryPage(
      this.#client,
      {
        TableName: this.#table,
        IndexName: loyaltyIndexes.byStatus,
        KeyConditionExpression: "gsi2pk = :pk",
        ExpressionAttributeValues: {
          ":pk": gsi2pk,
          ...(status === undefined ? {} : { ":status": couponStatusSchema.parse(status) }),
        },
        ...byStatus,
        ScanIndexForward: false,
      },
      page,
      { gsi2pk },
      (item) => couponRecordSchema.parse(item),
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
    const fields: Item = { ...withoutUndefined(patch), updatedAt: this.#now().toISOString() };
    try {
      const result = await this.#client.send(
        new UpdateCommand({
          TableName: this.#table,
          Key: keys.coupon(upperCode),
          ...conditionalStatusUpdate(fields, expectedStatuses),
          ReturnValues: "ALL_NEW",
          ReturnValuesOnConditionCheckFailure: "ALL_OLD",
        }),
      );
      return couponRecordSchema.parse(result.Attributes);
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
      if (error.Item === undefined)
        throw new NotFound("coupon_not_found", `Coupon ${upperCode} does not exist`);
      const current = couponStatusSchema.safeParse(rawString(error.Item, "status"));
      throw new CouponStatusConflict(upperCode, current.success ? current.data : undefined, expectedStatuses);
    }
  }
}
