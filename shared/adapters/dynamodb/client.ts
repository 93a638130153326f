import type {
  ConditionalCheckFailedException,
  DynamoDBClientConfig,
  TransactionCanceledException,
} from "@aws-sdk/client-dynamodb";
import type {
  DeleteCommandInput,
  DeleteCommandOutput,
  GetCommandInput,
  GetCommandOutput,
  PutCommandInput,
  PutCommandOutput,
  QueryCommandInput,
  QueryCommandOutput,
  TransactWriteCommandInput,
  TransactWriteCommandOutput,
  UpdateCommandInput,
  UpdateCommandOutput,
} from "@aws-sdk/lib-dynamodb";
import { onFirstUse } from "../lazy";

/**
 * The DynamoDB operations the stores use, on plain JavaScript values. The SDK's `DynamoDBDocument`
 * has exactly these methods (tests and tools pass one); functions get `documentDb`, which loads the
 * SDK on the first call.
 */
export interface DocumentDb {
  get(input: GetCommandInput): Promise<GetCommandOutput>;
  put(input: PutCommandInput): Promise<PutCommandOutput>;
  update(input: UpdateCommandInput): Promise<UpdateCommandOutput>;
  delete(input: DeleteCommandInput): Promise<DeleteCommandOutput>;
  query(input: QueryCommandInput): Promise<QueryCommandOutput>;
  transactWrite(input: TransactWriteCommandInput): Promise<TransactWriteCommandOutput>;
}

/**
 * A document client created on its first call. The two SDK packages take ~110 ms to load in a
 * fresh process, so a function whose request never reaches DynamoDB does not pay for them, and
 * none pays at import (the Lambda's init).
 */
export function documentDb(config: DynamoDBClientConfig): DocumentDb {
  const client = onFirstUse(async () => {
    const [{ DynamoDBClient }, { DynamoDBDocument }] = await Promise.all([
      import("@aws-sdk/client-dynamodb"),
      import("@aws-sdk/lib-dynamodb"),
    ]);
    return DynamoDBDocument.from(new DynamoDBClient(config), {
      marshallOptions: { removeUndefinedValues: true },
    });
  });
  return {
    get: async (input) => (await client()).get(input),
    put: async (input) => (await client()).put(input),
    update: async (input) => (await client()).update(input),
    delete: async (input) => (await client()).delete(input),
    query: async (input) => (await client()).query(input),
    transactWrite: async (input) => (await client()).transactWrite(input),
  };
}

// The SDK's error classes are only loaded with the client, so its errors are recognised by name
// (which is also what the SDK itself sets them from).

/** A conditional write (or its `ReturnValuesOnConditionCheckFailure` item) that did not apply. */
export function isConditionalCheckFailed(error: unknown): error is ConditionalCheckFailedException {
  return error instanceof Error && error.name === "ConditionalCheckFailedException";
}

/** A transaction DynamoDB cancelled; `CancellationReasons` says which item refused and why. */
export function isTransactionCanceled(error: unknown): error is TransactionCanceledException {
  return error instanceof Error && error.name === "TransactionCanceledException";
}
