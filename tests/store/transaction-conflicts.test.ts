import { DynamoDBClient, TransactionCanceledException } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocument, TransactWriteCommand } from "@aws-sdk/lib-dynamodb";
import { mockClient } from "aws-sdk-client-mock";
import { afterEach, describe, expect, it } from "vitest";
import { DynamoConversionStore } from "../../shared/adapters/dynamodb";

// DynamoDB Local serialises transactions, so the service's TransactionConflict is only reachable with a mock.
const client = DynamoDBDocument.from(new DynamoDBClient({ region: "ap-northeast-1" }));
const dynamo = mockClient(client);
const store = new DynamoConversionStore({ client, tableName: "loyalty" });

const conversion = {
  conversionId: "c-1",
  customerId: "7001",
  customerGid: "gid://shopify/Customer/7001",
  memberNumber: "7001",
  points: 500,
  amount: 500,
  currency: "JPY",
  code: "07001-C1C1C1-500",
  idempotencyKey: "key-1",
  requestHash: "hash",
  shopDate: "2025-06-01",
  startsAt: "2025-06-01T03:00:00.000Z",
  expiresAt: "2026-06-01T03:00:00.000Z",
};

function conflict(): TransactionCanceledException {
  return new TransactionCanceledException({
    message: "Transaction cancelled",
    $metadata: {},
    CancellationReasons: [
      { Code: "None" },
      { Code: "None" },
      { Code: "TransactionConflict" },
      { Code: "None" },
    ],
  });
}

afterEach(() => {
  dynamo.reset();
});

describe("reserveConversion under transaction conflicts", () => {
  it("retries a transaction cancelled only by a concurrent one", async () => {
    // Prepare
    dynamo.on(TransactWriteCommand).rejectsOnce(conflict()).resolves({});

    // Act
    const result = await store.reserveConversion(conversion);

    // Assess
    expect(result.outcome).toBe("reserved");
    expect(dynamo.commandCalls(TransactWriteCommand)).toHaveLength(2);
  });

  it("answers conversion_in_progress when the conflicts persist", async () => {
    // Prepare
    dynamo.on(TransactWriteCommand).rejects(conflict());

    // Act
    const error = await store.reserveConversion(conversion).catch((reason: unknown) => reason);

    // Assess
    expect(error).toMatchObject({ code: "conversion_in_progress", status: 409, retryAfterSeconds: 1 });
    expect(dynamo.commandCalls(TransactWriteCommand)).toHaveLength(4);
  });
});
