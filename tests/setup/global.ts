import { rmSync } from "node:fs";
import { fileURLToPath } from "node:url";
import type { TestProject } from "vitest/node";
import { bundleOutputRoot } from "../../infra/bundling";
import { findFreePort, startDynamoDbLocal } from "../../infra/local/dynamodb";
import { buildLocalBundles } from "../../infra/local/stack";

declare module "vitest" {
  export interface ProvidedContext {
    /** DynamoDB Local endpoint shared by the test run; each test file creates its own tables. */
    dynamoEndpoint: string;
    /** Set in the `bundles` project: the local stacks run the deployable bundles built here. */
    bundleRoot: string | undefined;
  }
}

/** Builds every function's bundle once for the `bundles` project; undefined for the others. */
async function bundlesFor(project: TestProject): Promise<{ root: string | undefined; remove(): void }> {
  if (project.name !== "bundles") return { root: undefined, remove: () => undefined };
  const root = bundleOutputRoot(
    fileURLToPath(new URL("../../", import.meta.url)),
    `test-bundles-${process.pid}`,
  );
  await buildLocalBundles(root);
  return { root, remove: () => rmSync(root, { recursive: true, force: true }) };
}

/**
 * Starts DynamoDB Local once per test run. Not on 8000, so a running `npm start` does not clash:
 * DYNAMODB_TEST_PORT, or any free port. DYNAMODB_TEST_ENDPOINT reuses an instance already running.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  // The workers get this from the config's `env`; the SDK clients made here need it too.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = "true";
  const bundles = await bundlesFor(project);
  project.provide("bundleRoot", bundles.root);
  const existing = process.env.DYNAMODB_TEST_ENDPOINT;
  if (existing) {
    project.provide("dynamoEndpoint", existing);
    return async () => bundles.remove();
  }
  const port = process.env.DYNAMODB_TEST_PORT ? Number(process.env.DYNAMODB_TEST_PORT) : await findFreePort();
  if (!Number.isInteger(port) || port <= 0 || port > 65_535) {
    throw new Error(`DYNAMODB_TEST_PORT must be a port number, got "${process.env.DYNAMODB_TEST_PORT}"`);
  }
  const dynamo = await startDynamoDbLocal({ port });
  project.provide("dynamoEndpoint", dynamo.endpoint);
  return async () => {
    await dynamo.stop();
    bundles.remove();
  };
}
