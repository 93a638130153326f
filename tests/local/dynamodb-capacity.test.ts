import { randomBytes } from "node:crypto";
import {
  ConditionalCheckFailedException,
  CreateTableCommand,
  DeleteTableCommand,
  DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  TransactWriteItemsCommand,
} from "@aws-sdk/client-dynamodb";
import { afterAll, beforeAll, beforeEach, describe, expect, inject, it } from "vitest";
import { localDynamoDbClientConfig } from "../../infra/local/dynamodb";
import { type CapacityProxy, capacityMeterAt, startCapacityProxy } from "../../infra/local/dynamodb-capacity";

/**
 * The bench's DynamoDB counting proxy, in front of the test run's DynamoDB Local: what it adds and
 * removes, what it counts, and how it prices transactions that DynamoDB Local under-reports.
 */

const table = `capacity-${randomBytes(4).toString("hex")}`;
let proxy: CapacityProxy;
let client: DynamoDBClient;
let direct: DynamoDBClient;

beforeAll(async () => {
  direct = new DynamoDBClient(localDynamoDbClientConfig(inject("dynamoEndpoint")));
  await direct.send(
    new CreateTableCommand({
      TableName: table,
      BillingMode: "PAY_PER_REQUEST",
      AttributeDefinitions: [
        { AttributeName: "pk", AttributeType: "S" },
        { AttributeName: "gpk", AttributeType: "S" },
      ],
      KeySchema: [{ AttributeName: "pk", KeyType: "HASH" }],
      GlobalSecondaryIndexes: [
        {
          IndexName: "byG",
          KeySchema: [{ AttributeName: "gpk", KeyType: "HASH" }],
          Projection: { ProjectionType: "ALL" },
        },
      ],
    }),
  );
  proxy = await startCapacityProxy({ target: inject("dynamoEndpoint"), port: 0 });
  client = new DynamoDBClient({ ...localDynamoDbClientConfig(proxy.url), maxAttempts: 1 });
});

afterAll(async () => {
  client.destroy();
  await proxy.close();
  await direct.send(new DeleteTableCommand({ TableName: table }));
  await direct.send(new DeleteTableCommand({ TableName: `${table}.capacity` })).catch(() => undefined);
  direct.destroy();
});

beforeEach(() => proxy.counter.reset());

const smallPut = (pk: string) => ({ Put: { TableName: table, Item: { pk: { S: pk } } } });

describe("DynamoDB capacity-counting proxy", () => {
  it("counts the units DynamoDB Local reports and answers as if it were not there", async () => {
    // Act
    const put = await client.send(
      new PutItemCommand({ TableName: table, Item: { pk: { S: "a" }, gpk: { S: "g" } } }),
    );
    const strong = await client.send(
      new GetItemCommand({ TableName: table, Key: { pk: { S: "a" } }, ConsistentRead: true }),
    );
    const eventual = await client.send(
      new GetItemCommand({ TableName: table, Key: { pk: { S: "a" } }, ReturnConsumedCapacity: "TOTAL" }),
    );
    const counts = await proxy.counter.read();

    // Assess: the capacity the proxy asked for is removed; what the client asked for stays.
    expect(put.ConsumedCapacity).toBeUndefined();
    expect(strong.Item?.pk).toEqual({ S: "a" });
    expect(strong.ConsumedCapacity).toBeUndefined();
    expect(eventual.ConsumedCapacity?.CapacityUnits).toBe(0.5);
    // The table write and the index write.
    expect(counts.operations.PutItem).toEqual({ requests: 1, readUnits: 0, writeUnits: 2, errors: {} });
    expect(counts.operations.GetItem).toEqual({ requests: 2, readUnits: 1.5, writeUnits: 0, errors: {} });
    expect(counts.readRequestUnits).toBe(1.5);
    expect(counts.writeRequestUnits).toBe(2);
  });

  it("prices each item of a transaction twice, where DynamoDB Local adds up only distinct item sizes", async () => {
    // Act: three 1 KB puts and an update of an item that is also in the index.
    await client.send(new PutItemCommand({ TableName: table, Item: { pk: { S: "u" }, gpk: { S: "g" } } }));
    proxy.counter.reset();
    await client.send(
      new TransactWriteItemsCommand({
        TransactItems: [
          smallPut("t1"),
          smallPut("t2"),
          smallPut("t3"),
          {
            Update: {
              TableName: table,
              Key: { pk: { S: "u" } },
              UpdateExpression: "SET n = :n",
              ExpressionAttributeValues: { ":n": { N: "1" } },
            },
          },
        ],
      }),
    );
    const counts = await proxy.counter.read();

    // Assess: 2 x (1 + 1 + 1 + (1 table + 1 index)) = 10.
    expect(counts.transactWrites.requests).toBe(1);
    expect(counts.transactWrites.items).toBe(4);
    expect(counts.transactWrites.counted).toBe(10);
    expect(counts.transactWrites.reportedByLocal).toBeLessThan(10);
    expect(counts.transactWrites.notRepriced).toBe(0);
    expect(counts.operations.TransactWriteItems?.writeUnits).toBe(10);
    expect(counts.writeRequestUnits).toBe(10);
  });

  it("prices a transaction's delete on the item it removes, and a delete of nothing as one write", async () => {
    // Prepare: an item in the index, to be deleted with a put beside it.
    await client.send(new PutItemCommand({ TableName: table, Item: { pk: { S: "d" }, gpk: { S: "g" } } }));
    proxy.counter.reset();

    // Act
    await client.send(
      new TransactWriteItemsCommand({
        TransactItems: [
          smallPut("d1"),
          { Delete: { TableName: table, Key: { pk: { S: "d" } } } },
          { Delete: { TableName: table, Key: { pk: { S: "never-written" } } } },
        ],
      }),
    );
    const counts = await proxy.counter.read();

    // Assess: 2 x (1 + (1 table + 1 index) + 1) = 8, and the item is gone.
    expect(counts.transactWrites.counted).toBe(8);
    expect(counts.transactWrites.notRepriced).toBe(0);
    expect(counts.writeRequestUnits).toBe(8);
    const gone = await direct.send(new GetItemCommand({ TableName: table, Key: { pk: { S: "d" } } }));
    expect(gone.Item).toBeUndefined();
  });

  it("counts refused requests by error type, without units", async () => {
    // Act
    const refused = await client
      .send(
        new PutItemCommand({
          TableName: table,
          Item: { pk: { S: "a" } },
          ConditionExpression: "attribute_not_exists(pk)",
        }),
      )
      .catch((error: unknown) => error);
    const counts = await capacityMeterAt(proxy.url).read();

    // Assess
    expect(refused).toBeInstanceOf(ConditionalCheckFailedException);
    expect(counts.operations.PutItem).toEqual({
      requests: 1,
      readUnits: 0,
      writeUnits: 0,
      errors: { ConditionalCheckFailedException: 1 },
    });
  });

  it("is cleared over its control route", async () => {
    // Prepare
    await client.send(new GetItemCommand({ TableName: table, Key: { pk: { S: "a" } } }));
    const meter = capacityMeterAt(proxy.url);

    // Act
    await meter.reset();

    // Assess
    expect(await meter.read()).toMatchObject({ readRequestUnits: 0, writeRequestUnits: 0, operations: {} });
  });
});
