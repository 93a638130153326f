import type { QueryCommandInput } from "@aws-sdk/lib-dynamodb";
import * as z from "zod/mini";
import { type CouponFilter, type CouponSearch, matchesFilter } from "../../admin/coupon-search";
import { InvalidRequest } from "../../errors";
import type { CouponStore, Page } from "../../store";
import { type CouponRecord, couponRecordSchema } from "../../store";
import { loyaltyIndexes } from "../../tables";
import { DynamoStore, type Item, type RepositoryOptions } from "./common";
import { ranOutQuery } from "./coupons";
import * as keys from "./keys";
import { customerIndexPrefixes } from "./keys";
import {
  cursorContent,
  cursorKeyValue,
  encodeCursor,
  invalidCursor,
  maxPageSize,
  queryPage,
} from "./listings";

/**
 * The staff's coupon search. By code: one read. By customer: the customer index, the status as a
 * filter (a customer's own coupons). Across the shop: partitions that hold what one filter shows
 * (`couponIndexKeys`), so a page reads about what it shows, whatever the history:
 *
 * - `used`, `cancelled`: their byStatus partition, `COUPONS#<status>`.
 * - `active`: `COUPONS#active`, less those that ran out since the last expiry sweep (a filter that
 *   drops only those few).
 * - `expired`: `COUPONS#expired` (stored `expired`, and active coupons the sweep moved there),
 *   merged with the active coupons that ran out since the sweep, a key range of byActivity.
 * - `all`: `COUPONS#active` merged with byActivity's `COUPONS#others`, both newest first.
 *
 * Coupons written before these keys, still in the one `COUPONS` partition until the backfill
 * moves them, are merged in with the old filter, so a listing is complete before, during and after
 * the backfill. Every merged stream is ordered by the coupon's `<createdAt>#<CODE>`; the cursor is
 * that position of the last coupon shown, and the next page continues below it.
 */

/**
 * A status as a DynamoDB filter: on a customer's coupons, and on those still in the old single
 * partition (the query every shop-wide listing was before the per-status partitions).
 */
function statusFilter(filter: CouponFilter, now: Date): Filter | undefined {
  const names = { "#status": "status", "#expiresAt": "expiresAt" };
  const at = { ":now": now.toISOString() };
  switch (filter) {
    case "all":
      return undefined;
    case "active":
      return {
        expression: "#status = :active AND #expiresAt > :now",
        names,
        values: { ":active": "active", ...at },
      };
    case "expired":
      return {
        expression: "#status = :expired OR (#status = :active AND #expiresAt <= :now)",
        names,
        values: { ":expired": "expired", ":active": "active", ...at },
      };
    default:
      return {
        expression: "#status = :status",
        names: { "#status": "status" },
        values: { ":status": filter },
      };
  }
}

interface Filter {
  expression: string;
  names: Record<string, string>;
  values: Item;
}

/**
 * One stream of a merged listing. `partition`: a partition whose sort key is the coupon's position,
 * read newest first from the cursor down, a share of the page at a time. `ranOut`: the active
 * coupons past their end that the sweep has not moved yet (a key range of byActivity's active
 * partition, few by design), read whole and ordered here.
 */
type Stream =
  | {
      kind: "partition";
      index: "byStatus" | "byActivity";
      partition: string;
      filter?: Filter;
      /** The old single partition: empty once backfilled, so it takes no share of a page. */
      legacy?: true;
    }
  | { kind: "ranOut" };

type PartitionStream = Extract<Stream, { kind: "partition" }>;

const byStatus = (partition: string, filter?: Filter): PartitionStream => ({
  kind: "partition",
  index: "byStatus",
  partition,
  ...(filter ? { filter } : {}),
});

function streamsFor(filter: CouponFilter, now: Date): Stream[] {
  const legacy: PartitionStream = {
    ...byStatus(keys.legacyCoupons, statusFilter(filter, now)),
    legacy: true,
  };
  switch (filter) {
    case "all":
      return [
        byStatus(keys.couponStatus("active")),
        { kind: "partition", index: "byActivity", partition: keys.otherCoupons },
        legacy,
      ];
    case "active":
      return [
        byStatus(keys.couponStatus("active"), {
          expression: "#expiresAt > :now",
          names: { "#expiresAt": "expiresAt" },
          values: { ":now": now.toISOString() },
        }),
        legacy,
      ];
    case "expired":
      return [byStatus(keys.couponStatus("expired")), { kind: "ranOut" }, legacy];
    default:
      return [byStatus(keys.couponStatus(filter)), legacy];
  }
}

/** The key attributes of the partitions a stream reads. */
const indexKeys = {
  byStatus: { index: loyaltyIndexes.byStatus, pk: "gsi2pk", sk: "gsi2sk" },
  byActivity: { index: loyaltyIndexes.byActivity, pk: "gsi3pk", sk: "gsi3sk" },
} as const;

// ---- cursor: the position of the last coupon shown ----

const positionSchema = z.strictObject({ olderThan: cursorKeyValue() });

function decodePosition(cursor: string | undefined): string | undefined {
  if (cursor === undefined) return undefined;
  const parsed = positionSchema.safeParse(cursorContent(cursor));
  if (!parsed.success) throw invalidCursor();
  return parsed.data.olderThan;
}

function encodePosition(olderThan: string): string {
  return encodeCursor({ olderThan });
}

// ---- the merge ----

interface StreamState {
  readonly stream: Stream;
  buffer: Item[];
  startKey: Item | undefined;
  done: boolean;
  batch: number;
}

const position = (item: Item): string => String(item.gsi2sk);

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
    const page = { limit: query.limit, ...(query.cursor ? { cursor: query.cursor } : {}) };
    if (query.customerId !== undefined)
      return this.#customerCoupons(query.customerId, query.status, now, page);
    if (!Number.isInteger(query.limit) || query.limit < 1 || query.limit > maxPageSize) {
      throw new InvalidRequest("invalid_limit", `limit must be an integer from 1 to ${maxPageSize}`);
    }
    const olderThan = decodePosition(query.cursor);
    const { items, more } = await this.#merged(streamsFor(query.status, now), query.limit, olderThan, now);
    const last = items.at(-1);
    return {
      items: items.map((item) => couponRecordSchema.parse(item)),
      ...(more && items.length === query.limit && last ? { nextCursor: encodePosition(position(last)) } : {}),
    };
  }

  /** A customer's coupons: few, so the status is a filter on the customer index. */
  #customerCoupons(
    customerId: string,
    status: CouponFilter,
    now: Date,
    page: { limit: number; cursor?: string },
  ): Promise<Page<CouponRecord>> {
    const filter = statusFilter(status, now);
    const gsi1pk = keys.customer(customerId);
    return queryPage(
      this.client,
      {
        TableName: this.table,
        IndexName: loyaltyIndexes.byCustomer,
        KeyConditionExpression: "gsi1pk = :pk AND begins_with(gsi1sk, :prefix)",
        ExpressionAttributeValues: {
          ":pk": gsi1pk,
          ":prefix": customerIndexPrefixes.coupon,
          ...filter?.values,
        },
        ...(filter ? { FilterExpression: filter.expression, ExpressionAttributeNames: filter.names } : {}),
        ScanIndexForward: false,
      },
      page,
      { gsi1pk },
      (item) => couponRecordSchema.parse(item),
    );
  }

  /**
   * The newest `limit` coupons of the streams below `olderThan`, each coupon once. A partition is
   * read a share of the page at first and twice as much each time it runs dry (never more than the
   * page still needs), so a page reads what it shows plus a few coupons per partition.
   */
  async #merged(
    streams: readonly Stream[],
    limit: number,
    olderThan: string | undefined,
    now: Date,
  ): Promise<{ items: Item[]; more: boolean }> {
    const sharing = streams.filter((stream) => stream.kind === "partition" && !stream.legacy).length;
    // One partition reads the page; several start with half a page between them, since all but
    // one of them usually contributes little, and read more of those that do.
    const share = sharing <= 1 ? limit : Math.ceil(limit / (2 * sharing));
    const states: StreamState[] = streams.map((stream) => ({
      stream,
      buffer: [],
      startKey: undefined,
      done: false,
      batch: stream.kind === "partition" && stream.legacy ? limit : share,
    }));
    const items: Item[] = [];
    const shown = new Set<string>();
    while (items.length < limit) {
      const remaining = limit - items.length;
      await Promise.all(
        states
          .filter((state) => state.buffer.length === 0 && !state.done)
          .map((state) => this.#read(state, remaining, olderThan, now)),
      );
      let newest: StreamState | undefined;
      for (const state of states) {
        const head = state.buffer[0];
        if (head === undefined) continue;
        const best = newest?.buffer[0];
        if (best === undefined || position(head) > position(best)) newest = state;
      }
      const item = newest?.buffer.shift();
      if (item === undefined) break;
      // A coupon moved between two partitions while the page was read is shown once.
      if (shown.has(String(item.pk))) continue;
      shown.add(String(item.pk));
      items.push(item);
    }
    return { items, more: states.some((state) => state.buffer.length > 0 || !state.done) };
  }

  async #read(
    state: StreamState,
    remaining: number,
    olderThan: string | undefined,
    now: Date,
  ): Promise<void> {
    const { stream } = state;
    if (stream.kind === "ranOut") {
      const ranOut = await this.#ranOut(now);
      state.buffer = ranOut
        .filter((item) => olderThan === undefined || position(item) < olderThan)
        .sort((a, b) => (position(a) < position(b) ? 1 : -1));
      state.done = true;
      return;
    }
    const { index, pk, sk } = indexKeys[stream.index];
    const input: QueryCommandInput = {
      TableName: this.table,
      IndexName: index,
      KeyConditionExpression: `${pk} = :pk${olderThan === undefined ? "" : ` AND ${sk} < :olderThan`}`,
      ExpressionAttributeValues: {
        ":pk": stream.partition,
        ...(olderThan === undefined ? {} : { ":olderThan": olderThan }),
        ...stream.filter?.values,
      },
      ...(stream.filter
        ? { FilterExpression: stream.filter.expression, ExpressionAttributeNames: stream.filter.names }
        : {}),
      ScanIndexForward: false,
    };
    // A filter applies after the read: go on until something passes it or the partition ends.
    do {
      const result = await this.client.query({
        ...input,
        Limit: Math.min(state.batch, remaining),
        ExclusiveStartKey: state.startKey,
      });
      state.buffer.push(...(result.Items ?? []));
      state.startKey = result.LastEvaluatedKey;
    } while (state.buffer.length === 0 && state.startKey !== undefined);
    state.done = state.startKey === undefined;
    state.batch *= 2;
  }

  /** Active coupons past their end that the expiry sweep has not moved yet (byActivity, by end). */
  async #ranOut(now: Date): Promise<Item[]> {
    const items: Item[] = [];
    let startKey: Item | undefined;
    do {
      const result = await this.client.query({
        ...ranOutQuery(this.table, now),
        ExclusiveStartKey: startKey,
      });
      items.push(...(result.Items ?? []));
      startKey = result.LastEvaluatedKey;
    } while (startKey !== undefined);
    return items;
  }
}
