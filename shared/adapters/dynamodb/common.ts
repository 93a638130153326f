/** Building blocks shared by the DynamoDB repositories: keys, cursors, paging, updates, transactions. */
import type { AttributeValue, CancellationReason } from "@aws-sdk/client-dynamodb";
import type {
  NativeAttributeValue,
  QueryCommandInput,
  TransactWriteCommandInput,
} from "@aws-sdk/lib-dynamodb";
import * as z from "zod/mini";
import { InvalidRequest } from "../../errors";
import type { Page, PageRequest } from "../../store/ports";
import { loyaltyIndexes, loyaltyTable } from "../../tables";
import { type DocumentDb, isConditionalCheckFailed, isTransactionCanceled } from "./client";
import * as keys from "./keys";

export type Item = Record<string, NativeAttributeValue>;

export interface RepositoryOptions {
  client: DocumentDb;
  tableName: string;
  /** Injected so tests can place events in time. */
  now?: () => Date;
}

// ---- keys ----

/** Leases are the only loyalty items the conversion code deletes; IAM scopes that delete to this prefix. */
export function epochSeconds(ms: number): number {
  return Math.ceil(ms / 1000);
}

/** The document client rejects `undefined` unless configured otherwise; do not rely on the caller's config. */
export function withoutUndefined<T extends object>(value: T): Item {
  return Object.fromEntries(Object.entries(value).filter(([, field]) => field !== undefined));
}

// ---- conditional updates ----

/**
 * Index keys an update moves besides the values it sets: attributes set from another attribute of
 * the same item (`copy`: target -> source, e.g. a sort key from `expiresAt`), and attributes removed
 * (an item leaving a sparse index).
 */
export interface KeyMove {
  readonly copy?: Readonly<Record<string, string>>;
  readonly remove?: readonly string[];
}

/**
 * `SET` for every defined field of a patch (and `move`'s copies, `REMOVE` for its removals),
 * guarded by `status IN (expected)`. Placeholders are generated, so field names never meet
 * DynamoDB's reserved words.
 */
export function conditionalStatusUpdate(
  patch: Item,
  expectedStatuses: readonly string[],
  move: KeyMove = {},
) {
  const names: Record<string, string> = { "#status": "status" };
  const values: Item = {};
  const assignments = Object.entries(patch).map(([field, value], index) => {
    names[`#f${index}`] = field;
    values[`:f${index}`] = value;
    return `#f${index} = :f${index}`;
  });
  const copies = Object.entries(move.copy ?? {}).map(([target, source], index) => {
    names[`#c${index}`] = target;
    names[`#s${index}`] = source;
    return `#c${index} = #s${index}`;
  });
  const removals = (move.remove ?? []).map((field, index) => {
    names[`#r${index}`] = field;
    return `#r${index}`;
  });
  const expected = expectedStatuses.map((status, index) => {
    values[`:e${index}`] = status;
    return `:e${index}`;
  });
  return {
    UpdateExpression: `SET ${[...assignments, ...copies].join(", ")}${removals.length > 0 ? ` REMOVE ${removals.join(", ")}` : ""}`,
    ConditionExpression: `attribute_exists(pk) AND #status IN (${expected.join(", ")})`,
    ExpressionAttributeNames: names,
    ExpressionAttributeValues: values,
  };
}

/** Reads a string attribute of an item returned with a failed condition (those are not unmarshalled). */
export function rawString(
  item: Record<string, AttributeValue> | undefined,
  name: string,
): string | undefined {
  const value = item?.[name];
  return value !== undefined && "S" in value ? value.S : undefined;
}

export function rawNumber(
  item: Record<string, AttributeValue> | undefined,
  name: string,
): number | undefined {
  const value = item?.[name];
  return value !== undefined && "N" in value && value.N !== undefined ? Number(value.N) : undefined;
}

// ---- transactions ----

const maxTransactionAttempts = 4;

export function failedCondition(reason: CancellationReason | undefined): boolean {
  return reason?.Code === "ConditionalCheckFailed";
}

function onlyConflicts(error: { CancellationReasons?: CancellationReason[] }): boolean {
  const reasons = error.CancellationReasons ?? [];
  return (
    reasons.some((reason) => reason.Code === "TransactionConflict") &&
    !reasons.some((reason) => failedCondition(reason))
  );
}

/**
 * TransactWriteItems, retried while it was cancelled only because another transaction was touching
 * the same items: nothing was written, and the retry sees the winner's result (e.g. the lease taken).
 * Throws the last `TransactionCanceledException` otherwise.
 */
export async function transactWrite(client: DocumentDb, input: TransactWriteCommandInput): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await client.transactWrite(input);
      return;
    } catch (error) {
      const retry = isTransactionCanceled(error) && onlyConflicts(error) && attempt < maxTransactionAttempts;
      if (!retry) throw error;
      await new Promise((resolve) => setTimeout(resolve, 20 * attempt + Math.random() * 50));
    }
  }
}

// ---- paging ----

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

function encodeCursor(lastEvaluatedKey: Item | undefined): string | undefined {
  if (lastEvaluatedKey === undefined) return undefined;
  return Buffer.from(JSON.stringify(lastEvaluatedKey), "utf8").toString("base64url");
}

const invalidCursor = () =>
  new InvalidRequest("invalid_cursor", "The cursor is not one this listing returned");

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
  const schema = z.strictObject(
    Object.fromEntries(
      names.map((name) => [
        name,
        z.string().check(
          z.minLength(1),
          z.refine((value) => Buffer.byteLength(value, "utf8") <= maxKeyBytes),
        ),
      ]),
    ),
  );
  let decoded: unknown;
  try {
    decoded = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8"));
  } catch {
    throw invalidCursor();
  }
  const parsed = schema.safeParse(decoded);
  if (!parsed.success) throw invalidCursor();
  for (const [name, value] of Object.entries(scope)) {
    if (parsed.data[name] !== value) throw invalidCursor();
  }
  return parsed.data;
}

export const maxPageSize = 100;

/**
 * One page of a query. With a filter, DynamoDB's Limit counts items read, not returned, so this
 * keeps reading until the page is full or the partition is exhausted.
 */
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
  const items: T[] = [];
  let startKey = decodeCursor(page.cursor, query.IndexName, cursorScope);
  let first = true;
  do {
    const input = { ...query, Limit: page.limit - items.length, ExclusiveStartKey: startKey };
    const result = await client.query(input).catch((error: unknown) => {
      // A well-formed key outside the query's sort-key condition (e.g. another listing's prefix in
      // the same partition) is refused by DynamoDB itself: that is the caller's cursor, not a fault.
      if (first && page.cursor !== undefined && isValidationError(error)) throw invalidCursor();
      throw error;
    });
    first = false;
    items.push(...(result.Items ?? []).map(parse));
    startKey = result.LastEvaluatedKey;
  } while (startKey !== undefined && items.length < page.limit);
  const nextCursor = encodeCursor(startKey);
  return nextCursor === undefined ? { items } : { items, nextCursor };
}

/**
 * What every store holds: the document client, its table and its clock; and the two listings
 * every kind of item shares, newest first: by customer (the customer index, one sort-key prefix per
 * kind) and by a listing partition of the status index (a status, or all coupons or rewards).
 */
export abstract class DynamoStore {
  protected readonly client: DocumentDb;
  protected readonly table: string;
  protected readonly now: () => Date;

  constructor(options: RepositoryOptions) {
    this.client = options.client;
    this.table = options.tableName;
    this.now = options.now ?? (() => new Date());
  }

  /**
   * Updates an item only while its status is one of `expected` (and `extra` holds), returning the
   * item as written; a refused update reads the item as it was: `missing` when there is none, else
   * `conflict` with its status.
   */
  protected async updateFromStatus<T>(
    key: { pk: string; sk: string },
    fields: Item,
    expected: readonly string[],
    parse: (item: unknown) => T,
    refused: { missing: () => Error; conflict: (status: string | undefined) => Error },
    extra?: { condition: string; names: Record<string, string>; values: Record<string, unknown> },
    move?: KeyMove,
  ): Promise<T> {
    const update = conditionalStatusUpdate(fields, expected, move);
    try {
      const result = await this.client.update({
        TableName: this.table,
        Key: key,
        ...update,
        ...(extra
          ? {
              ConditionExpression: `${update.ConditionExpression} AND ${extra.condition}`,
              ExpressionAttributeNames: { ...update.ExpressionAttributeNames, ...extra.names },
              ExpressionAttributeValues: { ...update.ExpressionAttributeValues, ...extra.values },
            }
          : {}),
        ReturnValues: "ALL_NEW",
        ReturnValuesOnConditionCheckFailure: "ALL_OLD",
      });
      return parse(result.Attributes);
    } catch (error) {
      if (!isConditionalCheckFailed(error)) throw error;
      if (error.Item === undefined) throw refused.missing();
      throw refused.conflict(rawString(error.Item, "status"));
    }
  }

  protected listByCustomerIndex<T>(
    customerId: string,
    prefix: string,
    page: PageRequest,
    parse: (item: Item) => T,
  ): Promise<Page<T>> {
    const gsi1pk = keys.customer(customerId);
    return queryPage(
      this.client,
      {
        TableName: this.table,
        IndexName: loyaltyIndexes.byCustomer,
        KeyConditionExpression: "gsi1pk = :pk AND begins_with(gsi1sk, :prefix)",
        ExpressionAttributeValues: { ":pk": gsi1pk, ":prefix": prefix },
        ScanIndexForward: false,
      },
      page,
      { gsi1pk },
      parse,
    );
  }

  protected listByStatusIndex<T>(
    gsi2pk: string,
    page: PageRequest,
    parse: (item: Item) => T,
    filter?: Pick<QueryCommandInput, "FilterExpression" | "ExpressionAttributeNames"> & {
      values: Record<string, unknown>;
    },
  ): Promise<Page<T>> {
    const { values, ...expression } = filter ?? { values: {} };
    return queryPage(
      this.client,
      {
        TableName: this.table,
        IndexName: loyaltyIndexes.byStatus,
        KeyConditionExpression: "gsi2pk = :pk",
        ExpressionAttributeValues: { ":pk": gsi2pk, ...values },
        ...expression,
        ScanIndexForward: false,
      },
      page,
      { gsi2pk },
      parse,
    );
  }
}
