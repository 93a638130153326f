import type { CouponStatus } from "../../store/records";
import { isConditionalCheckFailed } from "./client";
import { DynamoStore, type Item, type RepositoryOptions } from "./common";
import { ranOutQuery } from "./coupons";
import * as keys from "./keys";

const sweepLimit = 1000;
const sweepPage = 100;
const sweepConcurrency = 10;

/**
 * The coupon expiry sweep, run on a schedule (`expireCoupons`): it moves the listing keys of the
 * coupons that ran out (see `couponIndexKeys` in coupons.ts); it never changes a coupon's record.
 */
export class DynamoCouponExpiry extends DynamoStore {
  constructor(options: RepositoryOptions) {
    super(options);
  }

  /**
   * The expiry sweep: moves active coupons whose end has passed (`expiresAt <= now`, a key range of
   * byActivity) from `COUPONS#active` to `COUPONS#expired` (byStatus) and `COUPONS#others`
   * (byActivity), leaving the record itself as it is (an active coupon past its end reads `expired`). Each move is
   * conditional on the coupon still being where it was read, so a concurrent status change wins.
   * Run on a schedule; at most `max` coupons per run, `more` when some are left for the next.
   */
  async indexExpired(now: Date, max = sweepLimit): Promise<{ moved: number; more: boolean }> {
    const active = keys.couponStatus("active");
    let moved = 0;
    let examined = 0;
    let startKey: Item | undefined;
    do {
      const result = await this.client.query({
        ...ranOutQuery(this.table, now),
        Limit: Math.min(sweepPage, max - examined),
        ExclusiveStartKey: startKey,
      });
      const items = result.Items ?? [];
      examined += items.length;
      for (let index = 0; index < items.length; index += sweepConcurrency) {
        const outcomes = await Promise.all(
          items.slice(index, index + sweepConcurrency).map((item) => this.#moveExpired(item, active)),
        );
        moved += outcomes.filter(Boolean).length;
      }
      startKey = result.LastEvaluatedKey;
    } while (startKey !== undefined && examined < max);
    return { moved, more: startKey !== undefined };
  }

  async #moveExpired(item: Item, active: string): Promise<boolean> {
    try {
      await this.client.update({
        TableName: this.table,
        Key: { pk: item.pk, sk: item.sk },
        UpdateExpression: "SET gsi2pk = :expired, gsi3pk = :others, gsi3sk = gsi2sk",
        ConditionExpression: "#status = :active AND gsi3pk = :partition AND gsi3sk = :seen",
        ExpressionAttributeNames: { "#status": "status" },
        ExpressionAttributeValues: {
          ":expired": keys.couponStatus("expired"),
          ":others": keys.otherCoupons,
          ":active": "active" satisfies CouponStatus,
          ":partition": active,
          ":seen": item.gsi3sk,
        },
      });
      return true;
    } catch (error) {
      // Its status changed since the index was read: that write moved its keys itself.
      if (isConditionalCheckFailed(error)) return false;
      throw error;
    }
  }
}
