/**
 * Listings of the loyalty table's indexes: pages read from a cursor the previous page returned,
 * refused when the cursor is not one of the listing's own. Functions rather than store methods, so
 * a bundle whose stores never list carries none of this.
 */
import type { QueryCommandInput } from "@aws-sdk/lib-dynamodb";
import * as z from "zod/mini";
import { InvalidRequest } from "../../errors";
import type { Page, PageRequest } from "../../store/ports";
import { loyaltyIndexes, loyaltyTable } from "../../tables";
import type { DocumentDb } from "./client";
import type { Item } from "./common";
import * as keys from "./keys";

function isValidationError(error: unknown): boolean {
  return error instanceof Error && error.name === "ValidationException";
}

/** DynamoDB's bound on a sort key (partition keys may be 2,048 bytes; ours are far shorter). */
const maxKeyBytes = 1024;

/** The attributes of a `LastEvaluatedKey` on the loyalty table or one of its indexes, exactly. */
function cursorKeyNames(indexName: string | undefined): string[] {
  const table = [loyaltyTable.partitionKey.name, loyaltyTable.sortKey.name];
  if (indexName === undefined) return table;
  const index = loyaltyTable.globalIndexes.find((candidate) => candidate.indexName === indexName);
  if (index === undefined) throw new Error(`Unknown index ${indexName}`);
  return [...table, index.partitionKey.name, index.sortKey.name];
}

/** A cursor: the JSON of where the next page starts, base64url-encoded. */
export function encodeCursor(position: object): string {
  return Buffer.from(JSON.stringify(position), "utf8").toString("base64url");
}

export const invalidCursor = () =>
  new InvalidRequest("invalid_cursor", "The cursor is not one this listing returned");

/** What a cursor holds, not yet checked: a cursor that is not base64url JSON is refused. */
export function cursorContent(cursor: string): unknown {
  try {
    return JSON.parse(Buffer.from(cursor, "base64url").toString("utf8"));
  } catch {
    throw invalidCursor();
  }
}

/** A key attribute's value in a cursor: a non-empty string within DynamoDB's key size. */
export const cursorKeyValue = () =>
  z.string().check(
    z.minLength(1),
    z.refine((value) => Buffer.byteLength(value, "utf8") <= maxKeyBytes),
  );

/**
 * Decodes a cursor, refusing anything but a key of this listing's index: exactly its key
 * attributes, each a non-empty string within DynamoDB's key size, and the listing's own partition
 * (a cursor of another customer's coupons, or a made-up one, is a 400, never a query).
 */
function decodeCursor(
  cursor: string | undefined,
  indexName: string | undefined,
  scope: Record<string, string>,
): Item | undefined {
  if (cursor === undefined) return undefined;
  const names = cursorKeyNames(indexName);
  const schema = z.strictObject(Object.fromEntries(names.map((name) => [name, cursorKeyValue()])));
  const parsed = schema.safeParse(cursorContent(cursor));
  if (!parsed.success) throw invalidCursor();
  for (const [name, value] of Object.entries(scope)) {
    if (parsed.data[name] !== value) throw invalidCursor();
  }
  return parsed.data;
}

export const maxPageSize = 100;

/**
 * Up to `limit` items of a query, from `startKey` on. With a filter, DynamoDB's Limit counts items
 * read, not returned, so this keeps reading until it has `limit` items or the query is exhausted.
 */
async function readUpTo<T>(
  client: DocumentDb,
  query: Omit<QueryCommandInput, "Limit" | "ExclusiveStartKey">,
  limit: number,
  startKey: Item | undefined,
  parse: (item: Item) => T,
  /** What the first query's failure becomes (the later ones start from DynamoDB's own keys). */
  firstFailure: (error: unknown) => unknown = (error) => error,
): Promise<{ items: T[]; lastKey: Item | undefined }> {
  const items: T[] = [];
  let lastKey = startKey;
  let first = true;
  do {
    const input = { ...query, Limit: limit - items.length, ExclusiveStartKey: lastKey };
    const result = await client.query(input).catch((error: unknown) => {
      throw first ? firstFailure(error) : error;
    });
    first = false;
    items.push(...(result.Items ?? []).map(parse));
    lastKey = result.LastEvaluatedKey;
  } while (lastKey !== undefined && items.length < limit);
  return { items, lastKey };
}

/** One page of a query, from the cursor the previous page returned. */
export async function queryPage<T>(
  client: DocumentDb,
  query: Omit<QueryCommandInput, "Limit" | "ExclusiveStartKey">,
  page: PageRequest,
  cursorScope: Record<string, string>,
  parse: (item: Item) => T,
): Promise<Page<T>> {
  if (!Number.isInteger(page.limit) || page.limit < 1 || page.limit > maxPageSize) {
    throw new InvalidRequest("invalid_limit", `limit must be an integer from 1 to ${maxPageSize}`);
  }
  const startKey = decodeCursor(page.cursor, query.IndexName, cursorScope);
  // A well-formed key outside the query's sort-key condition (e.g. another listing's prefix in the
  // same partition) is refused by DynamoDB itself: that is the caller's cursor, not a fault.
  const { items, lastKey } = await readUpTo(client, query, page.limit, startKey, parse, (error) =>
    page.cursor !== undefined && isValidationError(error) ? invalidCursor() : error,
  );
  return lastKey === undefined ? { items } : { items, nextCursor: encodeCursor(lastKey) };
}

/** The customer index's query for one kind of item (its sort-key prefix), newest first. */
function byCustomer(table: string, customerId: string, prefix: string) {
  const gsi1pk = keys.customer(customerId);
  return {
    gsi1pk,
    query: {
      TableName: table,
      IndexName: loyaltyIndexes.byCustomer,
      KeyConditionExpression: "gsi1pk = :pk AND begins_with(gsi1sk, :prefix)",
      ExpressionAttributeValues: { ":pk": gsi1pk, ":prefix": prefix },
      ScanIndexForward: false,
    },
  };
}

/** A page of a customer's items of one kind (a sort-key prefix of the customer index), newest first. */
export function listByCustomerIndex<T>(
  client: DocumentDb,
  table: string,
  customerId: string,
  prefix: string,
  page: PageRequest,
  parse: (item: Item) => T,
): Promise<Page<T>> {
  const { gsi1pk, query } = byCustomer(table, customerId, prefix);
  return queryPage(client, query, page, { gsi1pk }, parse);
}

/** A customer's `limit` newest items of one kind: a first page, with no cursor to read or make. */
export async function newestByCustomer<T>(
  client: DocumentDb,
  table: string,
  customerId: string,
  prefix: string,
  limit: number,
  parse: (item: Item) => T,
): Promise<T[]> {
  const { items } = await readUpTo(
    client,
    byCustomer(table, customerId, prefix).query,
    limit,
    undefined,
    parse,
  );
  return items;
}

/** A page of one listing partition of the status index (a status, or all rewards), newest first. */
export function listByStatusIndex<T>(
  client: DocumentDb,
  table: string,
  gsi2pk: string,
  page: PageRequest,
  parse: (item: Item) => T,
): Promise<Page<T>> {
  return queryPage(
    client,
    {
      TableName: table,
      IndexName: loyaltyIndexes.byStatus,
      KeyConditionExpression: "gsi2pk = :pk",
      ExpressionAttributeValues: { ":pk": gsi2pk },
      ScanIndexForward: false,
    },
    page,
    { gsi2pk },
    parse,
  );
}
