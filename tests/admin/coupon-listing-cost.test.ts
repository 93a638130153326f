import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { BatchWriteCommand, DynamoDBDocument, GetCommand } from "@aws-sdk/lib-dynamodb";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { localDynamoDbClientConfig } from "../../infra/local/dynamodb";
import { backfillCouponKeys } from "../../scripts/backfill-coupon-keys";
import { DynamoCouponStore } from "../../shared/adapters/dynamodb";
import type { Item } from "../../shared/adapters/dynamodb/common";
import { DynamoCouponExpiry } from "../../shared/adapters/dynamodb/coupon-expiry";
import { DynamoCouponSearch } from "../../shared/adapters/dynamodb/coupon-search";
import * as keys from "../../shared/adapters/dynamodb/keys";
import { customerIndexPrefixes } from "../../shared/adapters/dynamodb/keys";
import { queryPage } from "../../shared/adapters/dynamodb/listings";
import { type CouponFilter, matchesFilter } from "../../shared/admin/coupon-search";
import { type CouponRecord, type CouponStatus, couponRecordSchema } from "../../shared/store";
import { loyaltyIndexes } from "../../shared/tables";
import { useTestTables } from "../setup/dynamodb";

/**
 * What the staff's shop-wide coupon listing reads per page, with a long history: thousands of used,
 * cancelled, expired and ran-out coupons, and a few active ones spread across it. Before the
 * per-status keys, one page of a status read the whole history; now a page reads about what it
 * shows. The answers stay those of `matchesFilter` (same coupons, same order, same pages), before
 * the backfill (old items read from the old partition), after it, and around the expiry sweep.
 */

const { client, names } = await useTestTables();

// A client of its own whose queries are counted (ScannedCount: items read before any filter).
interface QueryRead {
  index: string | undefined;
  partition: string | undefined;
  scanned: number;
}
const base = new DynamoDBClient(localDynamoDbClientConfig(inject("dynamoEndpoint")));
const counted = DynamoDBDocument.from(base);
let reads: QueryRead[] = [];
base.middlewareStack.add(
  (next, context) => async (args) => {
    const result = await next(args);
    if (context.commandName === "QueryCommand") {
      const input = args.input as {
        IndexName?: string;
        ExpressionAttributeValues?: Record<string, { S?: string }>;
      };
      const output = result.output as { ScannedCount?: number };
      reads.push({
        index: input.IndexName,
        partition: input.ExpressionAttributeValues?.[":pk"]?.S,
        scanned: output.ScannedCount ?? 0,
      });
    }
    return result;
  },
  { step: "initialize", name: "countQueryReads" },
);
afterAll(() => counted.destroy());

async function measured<T>(
  act: () => Promise<T>,
): Promise<{ result: T; reads: QueryRead[]; scanned: number }> {
  reads = [];
  const result = await act();
  const taken = reads;
  reads = [];
  return { result, reads: taken, scanned: taken.reduce((sum, read) => sum + read.scanned, 0) };
}

// ---- the history ----

const now = new Date("2025-06-01T00:00:00.000Z");
const limit = 20;
const filters: CouponFilter[] = ["all", "active", "used", "cancelled", "expired"];
const start = Date.parse("2023-01-01T00:00:00.000Z");
const minute = 60_000;
const day = 24 * 60 * minute;

/** 3,000 old coupons and 25 active ones spread among them (long-lived codes), oldest first. */
function history(): CouponRecord[] {
  const coupons: CouponRecord[] = [];
  const total = 3_025;
  for (let index = 0; index < total; index++) {
    const createdAt = new Date(start + index * 200 * minute);
    // Every 121st coupon is still active and far from its end; the rest are history.
    const live = index % 121 === 60;
    const kinds: { status: CouponStatus; endsInDays: number }[] = [
      { status: "used", endsInDays: 90 },
      { status: "cancelled", endsInDays: 90 },
      { status: "used", endsInDays: 90 },
      { status: "expired", endsInDays: 90 },
      // Unused and past its end: stored active, reads expired.
      { status: "active", endsInDays: 90 },
      { status: "used", endsInDays: 90 },
    ];
    const kind = live
      ? { status: "active" as const, endsInDays: 3650 }
      : index === 100
        ? { status: "cancelling" as const, endsInDays: 3650 }
        : index === 200
          ? { status: "inactive" as const, endsInDays: 3650 }
          : (kinds[index % kinds.length] as (typeof kinds)[number]);
    const customerId = String(1_000_000_000 + (index % 97));
    const code = `${customerId.slice(-5)}-H${String(index).padStart(5, "0")}-100`;
    coupons.push(
      couponRecordSchema.parse({
        code,
        conversionId: `history-${index}`,
        customerId,
        customerGid: `gid://shopify/Customer/${customerId}`,
        discountId: `gid://shopify/DiscountCodeNode/${index + 1}`,
        amount: 100,
        currency: "JPY",
        pointsUsed: 100,
        type: "fixed_discount",
        status: kind.status,
        startsAt: createdAt.toISOString(),
        expiresAt: new Date(createdAt.getTime() + kind.endsInDays * day).toISOString(),
        createdAt: createdAt.toISOString(),
        updatedAt: createdAt.toISOString(),
      }),
    );
  }
  return coupons;
}

/** The item as the store wrote coupons before the per-status keys: one `COUPONS` partition. */
function legacyItem(coupon: CouponRecord): Item {
  return {
    ...keys.coupon(coupon.code),
    gsi1pk: keys.customer(coupon.customerId),
    gsi1sk: `${customerIndexPrefixes.coupon}${coupon.createdAt}#${coupon.code}`,
    gsi2pk: keys.legacyCoupons,
    gsi2sk: `${coupon.createdAt}#${coupon.code}`,
    ...coupon,
  };
}

async function seed(items: Item[]): Promise<void> {
  const batches: Item[][] = [];
  for (let index = 0; index < items.length; index += 25) batches.push(items.slice(index, index + 25));
  for (let index = 0; index < batches.length; index += 8) {
    await Promise.all(
      batches.slice(index, index + 8).map(async (batch) => {
        let pending: Record<string, unknown[]> | undefined = {
          [names.loyalty]: batch.map((item) => ({ PutRequest: { Item: item } })),
        };
        while (pending && Object.keys(pending).length > 0) {
          const result = await client.send(new BatchWriteCommand({ RequestItems: pending as never }));
          pending = result.UnprocessedItems as Record<string, unknown[]> | undefined;
        }
      }),
    );
  }
}

const coupons = history();

/** The pages `matchesFilter` gives: what the listing answered before, and must still answer. */
function expectedPages(all: readonly CouponRecord[], filter: CouponFilter, at: Date): string[][] {
  const newestFirst = [...all].sort((a, b) =>
    `${b.createdAt}#${b.code}` < `${a.createdAt}#${a.code}` ? -1 : 1,
  );
  const codes = newestFirst
    .filter((coupon) => matchesFilter(coupon, filter, at))
    .map((coupon) => coupon.code);
  const pages: string[][] = [];
  for (let index = 0; index < codes.length; index += limit) pages.push(codes.slice(index, index + limit));
  return pages;
}

interface ListedPage {
  codes: string[];
  nextCursor: string | undefined;
  scanned: number;
  maxPerQuery: number;
  queries: number;
}

/** Follows the cursors to the end, measuring each page. */
async function listAll(
  page: (cursor: string | undefined) => Promise<{ items: CouponRecord[]; nextCursor?: string }>,
): Promise<ListedPage[]> {
  const pages: ListedPage[] = [];
  let cursor: string | undefined;
  do {
    const { result, reads: taken, scanned } = await measured(() => page(cursor));
    pages.push({
      codes: result.items.map((coupon) => coupon.code),
      nextCursor: result.nextCursor,
      scanned,
      maxPerQuery: Math.max(0, ...taken.map((read) => read.scanned)),
      queries: taken.length,
    });
    cursor = result.nextCursor;
  } while (cursor !== undefined);
  return pages;
}

/** The same pages, the last one followed by at most one empty page with no cursor. */
function expectSamePages(listed: ListedPage[], expected: string[][]): void {
  const shown = listed.map((page) => page.codes);
  const trailing = shown.length > 0 && shown.at(-1)?.length === 0 && expected.length > 0 ? [[]] : [];
  expect(shown).toEqual([...expected, ...trailing]);
  expect(listed.at(-1)?.nextCursor).toBeUndefined();
}

/** The shop-wide query the listing made before the per-status keys (one partition, a filter). */
function oldListing(filter: CouponFilter, at: Date) {
  const both = { "#status": "status", "#expiresAt": "expiresAt" };
  const status = { "#status": "status" };
  const filters: Record<CouponFilter, { expression?: string; names?: Record<string, string>; values: Item }> =
    {
      all: { values: {} },
      active: {
        expression: "#status = :active AND #expiresAt > :now",
        names: both,
        values: { ":active": "active", ":now": at.toISOString() },
      },
      expired: {
        expression: "#status = :expired OR (#status = :active AND #expiresAt <= :now)",
        names: both,
        values: { ":expired": "expired", ":active": "active", ":now": at.toISOString() },
      },
      used: { expression: "#status = :status", names: status, values: { ":status": "used" } },
      cancelled: { expression: "#status = :status", names: status, values: { ":status": "cancelled" } },
    };
  const { expression, names: attributes, values } = filters[filter];
  return (cursor: string | undefined) =>
    queryPage(
      counted,
      {
        TableName: names.loyalty,
        IndexName: loyaltyIndexes.byStatus,
        KeyConditionExpression: "gsi2pk = :pk",
        ExpressionAttributeValues: { ":pk": keys.legacyCoupons, ...values },
        ...(expression ? { FilterExpression: expression, ExpressionAttributeNames: attributes } : {}),
        ScanIndexForward: false,
      },
      { limit, ...(cursor ? { cursor } : {}) },
      { gsi2pk: keys.legacyCoupons },
      (item) => couponRecordSchema.parse(item),
    );
}

// ---- the tests ----

const store = new DynamoCouponStore({ client: counted, tableName: names.loyalty, now: () => now });
const expiry = new DynamoCouponExpiry({ client: counted, tableName: names.loyalty, now: () => now });
const search = new DynamoCouponSearch({ client: counted, tableName: names.loyalty, coupons: store });
const listing =
  (filter: CouponFilter, at = now) =>
  (cursor: string | undefined) =>
    search.search({ status: filter, limit, ...(cursor ? { cursor } : {}) }, at);

const raw = async (code: string) =>
  (
    await client.send(
      new GetCommand({ TableName: names.loyalty, Key: keys.coupon(code), ConsistentRead: true }),
    )
  ).Item;

/** Items read for the first page, the most for any page, and for the whole listing. */
const costOf = (pages: ListedPage[]) => ({
  firstPage: pages[0]?.scanned ?? 0,
  worstPage: Math.max(...pages.map((page) => page.scanned)),
  worstQuery: Math.max(...pages.map((page) => page.maxPerQuery)),
  pages: pages.length,
  total: pages.reduce((sum, page) => sum + page.scanned, 0),
});
const before: Partial<Record<CouponFilter, ReturnType<typeof costOf>>> = {};
const after: Partial<Record<CouponFilter, ReturnType<typeof costOf>>> = {};

beforeAll(async () => {
  await seed(coupons.map(legacyItem));
}, 180_000);

afterAll(() => {
  // COUPON_LISTING_COST=1 prints what each listing read, before and after the backfill.
  if (process.env.COUPON_LISTING_COST)
    console.info(JSON.stringify({ coupons: coupons.length, before, after }, null, 1));
});

describe("before the backfill (coupons in the old COUPONS partition)", () => {
  it.each(filters)("the old query of %s read the history for a page", async (filter) => {
    const pages = await listAll(oldListing(filter, now));

    expectSamePages(pages, expectedPages(coupons, filter, now));
    before[filter] = costOf(pages);
    if (filter === "active") {
      // 25 active coupons among 3,000: two pages, and every item of the partition read for them.
      expect(before.active?.total).toBeGreaterThanOrEqual(coupons.length);
      expect(before.active?.worstPage).toBeGreaterThan(1_000);
    }
  });

  it.each(filters)("the listing answers %s the same, reading the old partition", async (filter) => {
    const pages = await listAll(listing(filter));

    expectSamePages(pages, expectedPages(coupons, filter, now));
  });
});

describe("the backfill", () => {
  it("moves each old coupon once, to the keys of its status; a second run finds nothing", async () => {
    const progress: number[] = [];
    const dry = await backfillCouponKeys({ client, tableName: names.loyalty, now: () => now, dryRun: true });
    const first = await backfillCouponKeys({
      client,
      tableName: names.loyalty,
      now: () => now,
      pageSize: 250,
      progress: (report) => progress.push(report.read),
    });
    const second = await backfillCouponKeys({ client, tableName: names.loyalty, now: () => now });

    expect(dry).toMatchObject({ read: coupons.length, moved: coupons.length });
    expect(first).toEqual({
      read: coupons.length,
      moved: coupons.length,
      changedMeanwhile: 0,
      unplaceable: [],
    });
    expect(progress.length).toBeGreaterThan(10);
    expect(second).toEqual({ read: 0, moved: 0, changedMeanwhile: 0, unplaceable: [] });
    const [used, ranOut, live] = [coupons[0], coupons[4], coupons[60]] as [
      CouponRecord,
      CouponRecord,
      CouponRecord,
    ];
    expect([used.status, ranOut.status, live.status]).toEqual(["used", "active", "active"]);
    const position = (coupon: CouponRecord) => `${coupon.createdAt}#${coupon.code}`;
    expect(await raw(used.code)).toMatchObject({
      gsi2pk: "COUPONS#used",
      gsi2sk: position(used),
      gsi3pk: "COUPONS#others",
      gsi3sk: position(used),
    });
    // Past its end: listed as expired, out of the active partitions, the record as it was.
    expect(await raw(ranOut.code)).toMatchObject({
      gsi2pk: "COUPONS#expired",
      gsi3pk: "COUPONS#others",
      gsi3sk: position(ranOut),
      status: "active",
      updatedAt: ranOut.updatedAt,
    });
    expect(await raw(live.code)).toMatchObject({
      gsi2pk: "COUPONS#active",
      gsi3pk: "COUPONS#active",
      gsi3sk: live.expiresAt,
      updatedAt: live.updatedAt,
    });
  }, 180_000);
});

describe("after the backfill", () => {
  it.each(filters)("a page of %s reads about what it shows, and the pages are the same", async (filter) => {
    const pages = await listAll(listing(filter));

    expectSamePages(pages, expectedPages(coupons, filter, now));
    after[filter] = costOf(pages);
    for (const page of pages) {
      // No query reads more than a page; a page reads what it shows (the unfiltered listing merges
      // two partitions, and reads at most a page more).
      expect(page.maxPerQuery).toBeLessThanOrEqual(limit + 1);
      expect(page.scanned).toBeLessThanOrEqual(filter === "all" ? 2 * limit : limit + 1);
    }
  });

  it("reads the history no more: a status listing costs what it shows", () => {
    expect(after.active?.total).toBeLessThanOrEqual(25 + 1);
    expect(after.active?.worstPage).toBeLessThan((before.active?.worstPage ?? 0) / 50);
    expect(after.expired?.worstPage).toBeLessThanOrEqual(limit + 1);
    expect(after.used?.total).toBeLessThanOrEqual(coupons.filter((c) => c.status === "used").length + 1);
  });
});

describe("the expiry sweep", () => {
  /** Active coupons written now by the store, the newest of all: half run out within the hour. */
  const fresh: CouponRecord[] = [];
  const later = new Date(now.getTime() + 30 * minute);

  beforeAll(async () => {
    for (let index = 0; index < 20; index++) {
      const customerId = String(2_000_000_000 + index);
      const { coupon } = await new DynamoCouponStore({
        client,
        tableName: names.loyalty,
        now: () => new Date(now.getTime() + index * 1000),
      }).putCoupon({
        code: `${customerId.slice(-5)}-SWEEP${index}-100`,
        conversionId: `sweep-${index}`,
        customerId,
        customerGid: `gid://shopify/Customer/${customerId}`,
        discountId: `gid://shopify/DiscountCodeNode/${10_000 + index}`,
        amount: 100,
        currency: "JPY",
        pointsUsed: 100,
        type: "fixed_discount",
        status: "active",
        startsAt: now.toISOString(),
        // Even ones end 10..28 minutes from `now` (before `later`), odd ones an hour after.
        expiresAt: new Date(
          now.getTime() + (index % 2 === 0 ? 10 + index : 60 + index) * minute,
        ).toISOString(),
      });
      fresh.push(coupon);
    }
  });

  it("lists ran-out coupons as expired before the sweep, reading only those from the expiry index", async () => {
    const all = [...coupons, ...fresh];
    const expired = await listAll(listing("expired", later));
    const active = await listAll(listing("active", later));

    expectSamePages(expired, expectedPages(all, "expired", later));
    expectSamePages(active, expectedPages(all, "active", later));
    // The first expired page reads the 10 ran-out coupons from the expiry index and a page.
    expect(expired[0]?.scanned).toBeLessThanOrEqual(10 + limit + 1);
    // The active partition still holds them: a page reads them too, and no more.
    expect(active[0]?.scanned).toBeLessThanOrEqual(10 + limit + 1);
  });

  it("moves exactly the ran-out coupons to the expired partition, leaving their records alone", async () => {
    const sweep = await expiry.indexExpired(later);
    const again = await expiry.indexExpired(later);

    expect(sweep).toEqual({ moved: 10, more: false });
    expect(again).toEqual({ moved: 0, more: false });
    const [ranOut, live] = fresh as [CouponRecord, CouponRecord];
    expect(await raw(ranOut.code)).toMatchObject({
      gsi2pk: "COUPONS#expired",
      gsi3pk: "COUPONS#others",
      gsi3sk: `${ranOut.createdAt}#${ranOut.code}`,
      status: "active",
      updatedAt: ranOut.updatedAt,
    });
    expect(await raw(live.code)).toMatchObject({
      gsi2pk: "COUPONS#active",
      gsi3pk: "COUPONS#active",
      gsi3sk: live.expiresAt,
    });
  });

  it("answers the same after the sweep, each page reading about what it shows", async () => {
    const all = [...coupons, ...fresh];
    for (const filter of filters) {
      const pages = await listAll(listing(filter, later));

      expectSamePages(pages, expectedPages(all, filter, later));
      if (filter !== "all") {
        for (const page of pages) expect(page.scanned).toBeLessThanOrEqual(limit + 1);
      }
    }
  });
});
