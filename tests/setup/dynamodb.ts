import { randomBytes } from "node:crypto";
import { DeleteTableCommand, DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocument } from "@aws-sdk/lib-dynamodb";
import { afterAll, inject } from "vitest";
import { ensureTables, localDynamoDbClientConfig } from "../../infra/local/dynamodb";
import { type TableNames, tableDefinitions } from "../../shared/tables";

export interface TestTables {
  client: DynamoDBDocument;
  names: TableNames;
}

/**
 * Creates tables with names unique to the calling test file, so files run in parallel without
 * seeing each other's data, and deletes them after the file. Call at the top of a test file:
 * `const { client, names } = await useTestTables();`
 */
export async function useTestTables(): Promise<TestTables> {
  const baseClient = new DynamoDBClient(localDynamoDbClientConfig(inject("dynamoEndpoint")));
  const suffix = randomBytes(4).toString("hex");
  const names: TableNames = { loyalty: `loyalty-test-${suffix}`, audit: `audit-test-${suffix}` };
  await ensureTables(baseClient, tableDefinitions, names);
  const client = DynamoDBDocument.from(baseClient);
  afterAll(async () => {
    await Promise.all(
      Object.values(names).map((TableName) => baseClient.send(new DeleteTableCommand({ TableName }))),
    );
    client.destroy();
  });
  return { client, names };
}
