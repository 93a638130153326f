import { type CouponFilter, type CouponSearch, matchesFilter } from "../../admin/coupon-search";
import type { CouponStore, Page } from "../../store";
import { type CouponRecord, couponRecordSchema } from "../../store";
import { loyaltyIndexes } from "../../tables";
import { DynamoStore, type Item, queryPage, type RepositoryOptions } from "./common";
import { customerIndexPrefixes, keys } from "./keys";

/** DynamoDB filter for a status; the index keeps the order (newest first) and the paging. */
function filterExpression(filter: CouponFilter, now: Date) {
  const names = { "#status": "status", "#expiresAt": "expiresAt" };
  const at = { ":now": now.toISOString() };
  switch (filter) {
    case "all":
      return undefined;
    case "active":
      return {
        FilterExpression: "#status = :active AND #expiresAt > :now",
        ExpressionAttributeNames: names,
        values: { ":active": "active", ...at },
      };
    case "expired":
      return {
        FilterExpression: "#status = :expired OR (#status = :active AND #expiresAt <= :now)",
        ExpressionAttributeNames: names,
        values: { ":expired": "expired", ":active": "active", ...at },
      };
    default:
      return {
        FilterExpression: "#status = :status",
        ExpressionAttributeNames: { "#status": "status" },
        values: { ":status": filter },
      };
  }
}

export class DynamoCouponSearch extends DynamoStore {
  readonly #coupons: Pick<CouponStore, "getCoupon">;

  constructor(options: RepositoryOptions & { coupons: Pick<CouponStore, "getCoupon"> }) {
    super(options);
    this.#coupons = options.coupons;
  }

  async search(query: CouponSearch, now: Date): Promise<Page<CouponRecord>> {
    if (query.code !== undefined) {
      // A code names at most one coupon; the other filters still have to agree with it.
      const coupon = await this.#coupons.getCoupon(query.code);
      const matches =
        coupon !== undefined &&
        (query.customerId === undefined || coupon.customerId === query.customerId) &&
        matchesFilter(coupon, query.status, now);
      return { items: matches ? [coupon] : [] };
    }
    const filter = filterExpression(query.status, now);
    const partition: { index: string; condition: string; values: Item; scope: Record<string, string> } =
      query.customerId === undefined
        ? {
            index: loyaltyIndexes.byStatus,
            condition: "gsi2pk = :pk",
            values: { ":pk": keys.allCoupons },
            scope: { gsi2pk: keys.allCoupons },
          }
        : {
            index: loyaltyIndexes.byCustomer,
            condition: "gsi1pk = :pk AND begins_with(gsi1sk, :prefix)",
            values: { ":pk": keys.customer(query.customerId), ":prefix": customerIndexPrefixes.coupon },
            scope: { gsi1pk: keys.customer(query.customerId) },
          };
    return queryPage(
      this.client,
      {
        TableName: this.table,
        IndexName: partition.index,
        KeyConditionExpression: partition.condition,
        ExpressionAttributeValues: { ...partition.values, ...filter?.values },
        ...(filter
          ? {
              FilterExpression: filter.FilterExpression,
              ExpressionAttributeNames: filter.ExpressionAttributeNames,
            }
          : {}),
        ScanIndexForward: false,
      },
      { limit: query.limit, ...(query.cursor ? { cursor: query.cursor } : {}) },
      partition.scope,
      (item) => couponRecordSchema.parse(item),
    );
  }
}
