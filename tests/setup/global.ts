import type { TestProject } from "vitest/node";
import { findFreePort, startDynamoDbLocal } from "../../infra/local/dynamodb";

declare module "vitest" {
  export interface ProvidedContext {
    /** DynamoDB Local endpoint shared by the test run; each test file creates its own tables. */
    dynamoEndpoint: string;
  }
}

/**
 * Starts DynamoDB Local once per test run. Not on 8000, so a running `npm start` does not clash:
 * DYNAMODB_TEST_PORT, or any free port. DYNAMODB_TEST_ENDPOINT reuses an instance already running.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const existing = process.env.DYNAMODB_TEST_ENDPOINT;
  if (existing) {
    project.provide("dynamoEndpoint", existing);
    return async () => {};
  }
  const port = process.env.DYNAMODB_TEST_PORT ? Number(process.env.DYNAMODB_TEST_PORT) : await findFreePort();
  if (!Number.isInteger(port) || port <= 0 || port > 65_535) {
    throw new Error(`DYNAMODB_TEST_PORT must be a port number, got "${process.env.DYNAMODB_TEST_PORT}"`);
  }
  const dynamo = await startDynamoDbLocal({ port });
  project.provide("dynamoEndpoint", dynamo.endpoint);
  return () => dynamo.stop();
}
