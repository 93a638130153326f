/** Building blocks shared by the DynamoDB repositories: items, conditional updates, transactions. */
import type { AttributeValue, CancellationReason } from "@aws-sdk/client-dynamodb";
import type { NativeAttributeValue, TransactWriteCommandInput } from "@aws-sdk/lib-dynamodb";
import { type DocumentDb, isConditionalCheckFailed, isTransactionCanceled } from "./client";

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

/**
 * What every store holds: the document client, its table and its clock. Listings are functions of
 * their own (`./listings`), so a store that never lists carries none of their code.
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
}
