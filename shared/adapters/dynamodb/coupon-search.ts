import { QueryCommand, type QueryCommandInput } from "@aws-sdk/lib-dynamodb";
import { z } from "zod";
import { type CouponFilter, type CouponSearch, matchesFilter } from "../../admin/coupon-search";
import { InvalidRequest } from "../../errors";
import type { CouponStore, Page } from "../../store";
import { type CouponRecord, couponRecordSchema, couponStatusSchema } from "../../store";
import { loyaltyIndexes } from "../../tables";
import { DynamoStore, type Item, maxPageSize, queryPage, type RepositoryOptions } from "./common";
import { customerIndexPrefixes, keys } from "./keys";

/**
 * The staff's coupon search. By code: one read. By customer: the customer index, the status as a
 * filter (a customer's own coupons). Across the shop: the status index's per-status partitions
 * (`COUPONS#<status>`, see `couponIndexKeys`), so a page reads about what it shows, whatever the
 * history:
 *
 * - `used`, `cancelled`: their partition.
 * - `active`: `COUPONS#active`, less those that ran out since the last expiry sweep (a filter that
 *   drops only those few).
 * - `expired`: `COUPONS#expired` (stored `expired`, and active coupons the sweep moved there),
 *   merged with the active coupons that ran out since the sweep, a key range of the expiry index.
 * - `all`: every status's partition, merged newest first.
 *
 * Coupons written before the per-status partitions, still in the one `COUPONS` partition until the
 * backfill moves them, are merged in with the old filter, so a listing is complete before, during
 * and after the backfill. The merged streams are all ordered by `gsi2sk` (`<createdAt>#<code>`);
 * the cursor is the position of the last coupon shown, and a page continues below it.
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
 * One stream of a merged listing. `partition`: a status-index partition read newest first from the
 * cursor down, a page's worth at a time. `ranOut`: the active coupons past their end that the sweep
 * has not moved yet (a key range of the expiry index, few by design), read whole and ordered here.
 */
type Stream = { kind: "partition"; gsi2pk: string; filter?: Filter } | { kind: "ranOut" };

function streamsFor(filter: CouponFilter, now: Date): Stream[] {
  const legacy: Stream = { kind: "partition", gsi2pk: keys.legacyCoupons, filter: statusFilter(filter, now) };
  switch (filter) {
    case "all":
      return [
        ...couponStatusSchema.options.map(
          (status): Stream => ({
            kind: "partition",
            gsi2pk: keys.couponStatus(status),
          }),
        ),
        legacy,
      ];
    case "active":
      return [
        {
          kind: "partition",
          gsi2pk: keys.couponStatus("active"),
          filter: {
            expression: "#expiresAt > :now",
            names: { "#expiresAt": "expiresAt" },
            values: { ":now": now.toISOString() },
          },
        },
        legacy,
      ];
    case "expired":
      return [{ kind: "partition", gsi2pk: keys.couponStatus("expired") }, { kind: "ranOut" }, legacy];
    default:
      return [{ kind: "partition", gsi2pk: keys.couponStatus(filter) }, legacy];
  }
}

// ---- cursor: the position of the last coupon shown ----

const maxKeyBytes = 1024;

const positionSchema = z.strictObject({
  olderThan: z
    .string()
    .min(1)
    .refine((value) => Buffer.byteLength(value, "utf8") <= maxKeyBytes),
});

const invalidCursor = () =>
  new InvalidRequest("invalid_cursor", "The cursor is not one this listing returned");

function decodePosition(cursor: string | undefined): string | undefined {
  if (cursor === undefined) return undefined;
  let decoded: unknown;
  try {
    decoded = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8"));
  } catch {
    throw invalidCursor();
  }
  const parsed = positionSchema.safeParse(decoded);
  if (!parsed.success) throw invalidCursor();
  return parsed.data.olderThan;
}

function encodePosition(olderThan: string): string {
  return Buffer.from(JSON.stringify({ olderThan }), "utf8").toString("base64url");
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
   * The newest `limit` coupons of the streams below `olderThan`, each coupon once. A stream is read
   * a share of the page at first and twice as much each time it runs dry (never more than the page
   * still needs), so a page reads about what it shows plus a few coupons per stream.
   */
  async #merged(
    streams: readonly Stream[],
    limit: number,
    olderThan: string | undefined,
    now: Date,
  ): Promise<{ items: Item[]; more: boolean }> {
    const partitions = streams.filter((stream) => stream.kind === "partition").length;
    const states: StreamState[] = streams.map((stream) => ({
      stream,
      buffer: [],
      startKey: undefined,
      done: false,
      batch: Math.max(1, Math.ceil(limit / Math.max(1, partitions))),
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
    const input: QueryCommandInput = {
      TableName: this.table,
      IndexName: loyaltyIndexes.byStatus,
      KeyConditionExpression: `gsi2pk = :pk${olderThan === undefined ? "" : " AND gsi2sk < :olderThan"}`,
      ExpressionAttributeValues: {
        ":pk": stream.gsi2pk,
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
      const result = await this.client.send(
        new QueryCommand({
          ...input,
          Limit: Math.min(state.batch, remaining),
          ExclusiveStartKey: state.startKey,
        }),
      );
      state.buffer.push(...(result.Items ?? []));
      state.startKey = result.LastEvaluatedKey;
    } while (state.buffer.length === 0 && state.startKey !== undefined);
    state.done = state.startKey === undefined;
    state.batch *= 2;
  }

  /** Active coupons past their end that the expiry sweep has not moved yet. */
  async #ranOut(now: Date): Promise<Item[]> {
    const items: Item[] = [];
    let startKey: Item | undefined;
    do {
      const result = await this.client.send(
        new QueryCommand({
          TableName: this.table,
          IndexName: loyaltyIndexes.byExpiry,
          KeyConditionExpression: "gsi3pk = :pk AND gsi3sk <= :now",
          ExpressionAttributeValues: { ":pk": keys.couponStatus("active"), ":now": now.toISOString() },
          ExclusiveStartKey: startKey,
        }),
      );
      items.push(...(result.Items ?? []));
      startKey = result.LastEvaluatedKey;
    } while (startKey !== undefined);
    return items;
  }
}
