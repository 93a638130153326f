import { randomBytes } from "node:crypto";
import { DeleteTableCommand, DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { demoCredentials, demoShop } from "../../infra/local/demo-data";
import { localDynamoDbClientConfig } from "../../infra/local/dynamodb";
import {
  type FunctionInvocation,
  type LocalStackWithEmulatorProcess,
  startLocalStack,
} from "../../infra/local/stack";
import { customerSessionTokens } from "../../shared/auth/mint";
import type { TableNames } from "../../shared/tables";

/**
 * The local stack as the bench runs it: the emulators in a child process, reached over HTTP, the
 * handlers' DynamoDB calls through the counting proxy, every invocation reported to the hook.
 */

const suffix = randomBytes(4).toString("hex");
const names: TableNames = { loyalty: `loyalty-split-${suffix}`, audit: `audit-split-${suffix}` };
const invocations: FunctionInvocation[] = [];
let stack: LocalStackWithEmulatorProcess;

const taroToken = customerSessionTokens({
  customerId: "8840734670934",
  appSecret: demoCredentials.shopifyAppSecret,
  shopDomain: demoShop.domain,
  clientId: demoCredentials.shopifyClientId,
});

beforeAll(async () => {
  stack = await startLocalStack({
    ports: { api: 0, shopify: 0, smaregi: 0, stepFunctions: 0, ses: 0, dynamodb: 0 },
    dynamoEndpoint: inject("dynamoEndpoint"),
    tableNames: names,
    latencyProfile: "none",
    waitTimeScale: 0.01,
    emulators: "child-process",
    countDynamoDbCapacity: true,
    onInvocation: (invocation) => invocations.push(invocation),
  });
});

afterAll(async () => {
  await stack?.stop();
  const client = new DynamoDBClient(localDynamoDbClientConfig(inject("dynamoEndpoint")));
  await Promise.all(
    [...Object.values(names), ...Object.values(names).map((name) => `${name}.capacity`)].map((TableName) =>
      client.send(new DeleteTableCommand({ TableName })).catch(() => undefined),
    ),
  );
  client.destroy();
});

describe("local stack with the emulators in a child process", () => {
  it("runs the emulators in another process, set over their control routes", async () => {
    // Act
    const set = await fetch(`${stack.urls.smaregi}/_control/customers/1001/points`, {
      method: "PUT",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ point: 4321 }),
    });
    const unknown = await fetch(`${stack.urls.smaregi}/_control/customers/999999/points`, {
      method: "PUT",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ point: 1 }),
    });
    const balance = await fetch(`${stack.urls.api}/v1/me/points`, {
      headers: { authorization: `Bearer ${await taroToken()}` },
    });

    // Assess
    expect(stack.emulatorProcess.pid).not.toBe(process.pid);
    expect(set.status).toBe(200);
    expect(await set.json()).toMatchObject({ customerId: "1001", point: "4321" });
    expect(unknown.status).toBe(404);
    expect(balance.status).toBe(200);
    expect(await balance.json()).toMatchObject({ balance: 4321 });
  });

  it("reports each invocation and counts the capacity a conversion used", async () => {
    // Prepare
    invocations.length = 0;
    await stack.capacity?.reset();

    // Act
    const response = await fetch(`${stack.urls.api}/v1/me/conversions`, {
      method: "POST",
      headers: {
        authorization: `Bearer ${await taroToken()}`,
        "content-type": "application/json",
        "idempotency-key": crypto.randomUUID(),
      },
      body: JSON.stringify({ points: 100 }),
    });
    const body = (await response.json()) as { conversionId: string };
    await stack.stepFunctions.waitForExecution(
      `${stack.environment.CONVERT_STATE_MACHINE_ARN?.replace(":stateMachine:", ":execution:")}:${body.conversionId}`,
    );
    const counts = await stack.capacity?.read();

    // Assess
    expect(response.status).toBe(201);
    expect(invocations.filter((invocation) => invocation.trigger === "api").map((i) => i.function)).toEqual([
      "conversions",
    ]);
    const tasks = invocations.filter((invocation) => invocation.trigger === "task").map((i) => i.function);
    expect(tasks).toEqual(expect.arrayContaining(["checkBalance", "createCoupon", "deductPoints"]));
    expect(invocations.every((invocation) => invocation.ok && invocation.durationMs > 0)).toBe(true);
    expect(counts?.writeRequestUnits).toBeGreaterThan(0);
    expect(counts?.readRequestUnits).toBeGreaterThan(0);
    expect(counts?.transactWrites.notRepriced).toBe(0);
  });

  it("stops the child process with the stack", async () => {
    // Act
    await stack.stop();

    // Assess
    expect(() => process.kill(stack.emulatorProcess.pid, 0)).toThrow();
  });
});
