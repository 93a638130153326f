import { randomBytes, randomUUID } from "node:crypto";
import { DeleteTableCommand, DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocument } from "@aws-sdk/lib-dynamodb";
import { afterAll, inject } from "vitest";
import { localAdminIssuer } from "../../infra/local/admin-issuer";
import { demoCredentials, demoShop } from "../../infra/local/demo-data";
import { localDynamoDbClientConfig } from "../../infra/local/dynamodb";
import { type LocalStack, type LocalStackOptions, startLocalStack } from "../../infra/local/stack";
import { DynamoAuditHistory, DynamoConversionStore, DynamoCouponStore } from "../../shared/adapters/dynamodb";
import type { AdminRole } from "../../shared/auth/admin";
import { mintAdminToken } from "../../shared/auth/admin-token";
import { customerSessionTokens } from "../../shared/auth/mint";
import type { TableNames } from "../../shared/tables";

/**
 * The whole local stack for one test file: the real handlers behind the local gateway, the real
 * ASL on the local Step Functions endpoint, both emulators and the shared DynamoDB Local (tables
 * unique to the file). Retry and Wait pauses are scaled down; timeouts are short so injected
 * "timeout" faults resolve quickly.
 */
export interface TestStack {
  stack: LocalStack;
  names: TableNames;
  tokenFor(customerId: string): Promise<string>;
  /** A request to the API as the given customer (or anonymous). */
  api(path: string, init?: RequestInit & { customerId?: string }): Promise<Response>;
  /** An admin access token of the local issuer, as `npm run token -- --admin` prints it. */
  adminToken(role: AdminRole, email?: string): Promise<string>;
  /** A request to the API as shop staff with the given role (default admin, ops@example.com). */
  adminApi(path: string, init?: RequestInit & { role?: AdminRole; email?: string }): Promise<Response>;
  convert(
    customerId: string,
    points: number,
    idempotencyKey?: string,
  ): Promise<{ status: number; body: Record<string, unknown> }>;
  /** The POS balance as the emulator holds it (no client, no cache). */
  posBalance(posCustomerId: string): number;
  /** What the service stored, read straight from DynamoDB. */
  conversions: DynamoConversionStore;
  coupons: DynamoCouponStore;
  audit: DynamoAuditHistory;
  /** Event types of a conversion's audit trail, oldest first, as `type:outcome`. */
  trailOf(conversionId: string): Promise<string[]>;
}

export const taro = { customerId: "8840734670934", posCustomerId: "1001" } as const;

/** In the `bundles` test project, the stack runs the deployable bundles instead of the sources. */
function bundleRootOption(): { bundleRoot?: string } {
  const bundleRoot = inject("bundleRoot");
  return bundleRoot ? { bundleRoot } : {};
}

export async function useTestStack(
  options: Partial<Pick<LocalStackOptions, "latencyProfile" | "waitTimeScale" | "environment">> = {},
): Promise<TestStack> {
  const suffix = randomBytes(4).toString("hex");
  const names: TableNames = { loyalty: `loyalty-e2e-${suffix}`, audit: `audit-e2e-${suffix}` };
  const stack = await startLocalStack({
    ports: { api: 0, shopify: 0, smaregi: 0, stepFunctions: 0, ses: 0, dynamodb: 0 },
    dynamoEndpoint: inject("dynamoEndpoint"),
    tableNames: names,
    latencyProfile: options.latencyProfile ?? "none",
    ...bundleRootOption(),
    waitTimeScale: options.waitTimeScale ?? 0.01,
    environment: {
      POS_LOOKUP_TIMEOUT_MS: "400",
      POS_WRITE_TIMEOUT_MS: "800",
      SHOPIFY_TIMEOUT_MS: "800",
      CONVERSION_WAIT_MS: "15000",
      ...options.environment,
    },
  });
  afterAll(async () => {
    await stack.stop();
    const client = new DynamoDBClient(localDynamoDbClientConfig(inject("dynamoEndpoint")));
    await Promise.all(
      Object.values(names).map((TableName) => client.send(new DeleteTableCommand({ TableName }))),
    );
    client.destroy();
  });

  const tokens = new Map<string, () => Promise<string>>();
  const tokenFor = (customerId: string) => {
    let source = tokens.get(customerId);
    if (!source) {
      source = customerSessionTokens({
        customerId,
        appSecret: demoCredentials.shopifyAppSecret,
        shopDomain: demoShop.domain,
        clientId: demoCredentials.shopifyClientId,
      });
      tokens.set(customerId, source);
    }
    return source();
  };

  const api: TestStack["api"] = async (path, init = {}) => {
    const { customerId, ...rest } = init;
    const headers = new Headers(rest.headers);
    if (customerId) headers.set("authorization", `Bearer ${await tokenFor(customerId)}`);
    return fetch(`${stack.urls.api}${path}`, { ...rest, headers });
  };

  const adminToken: TestStack["adminToken"] = (role, email = "ops@example.com") =>
    mintAdminToken({
      email,
      role,
      issuer: localAdminIssuer.issuer,
      audience: localAdminIssuer.audience,
      privateKey: localAdminIssuer.privateKey,
    });

  const adminApi: TestStack["adminApi"] = async (path, init = {}) => {
    const { role = "admin", email, ...rest } = init;
    const headers = new Headers(rest.headers);
    headers.set("authorization", `Bearer ${await adminToken(role, email)}`);
    return fetch(`${stack.urls.api}${path}`, { ...rest, headers });
  };

  const convert: TestStack["convert"] = async (customerId, points, idempotencyKey = randomUUID()) => {
    const response = await api("/v1/me/conversions", {
      method: "POST",
      customerId,
      headers: { "content-type": "application/json", "idempotency-key": idempotencyKey },
      body: JSON.stringify({ points }),
    });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  };

  const posBalance = (posCustomerId: string) => {
    const account = stack.smaregi.store.getPoints(posCustomerId);
    if (account === undefined) throw new Error(`No POS customer ${posCustomerId}`);
    return account.point;
  };

  const documents = DynamoDBDocument.from(
    new DynamoDBClient(localDynamoDbClientConfig(inject("dynamoEndpoint"))),
  );
  const conversions = new DynamoConversionStore({ client: documents, tableName: names.loyalty });
  const coupons = new DynamoCouponStore({ client: documents, tableName: names.loyalty });
  const audit = new DynamoAuditHistory({ client: documents, tableName: names.audit });
  const trailOf = async (conversionId: string) =>
    (await audit.listAuditEvents({ type: "conversion", id: conversionId })).map(
      (event) => `${event.type}:${event.outcome}`,
    );

  return {
    stack,
    names,
    tokenFor,
    api,
    adminToken,
    adminApi,
    convert,
    posBalance,
    conversions,
    coupons,
    audit,
    trailOf,
  };
}
