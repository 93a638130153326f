import { randomUUID } from "node:crypto";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocument, ScanCommand } from "@aws-sdk/lib-dynamodb";
import { afterAll, describe, expect, inject, it } from "vitest";
import { type RouteSpec, routes } from "../../infra/catalog";
import { demoCredentials, demoShop } from "../../infra/local/demo-data";
import { localDynamoDbClientConfig } from "../../infra/local/dynamodb";
import { signWebhookBody } from "../../infra/local/shopify/webhooks";
import { maxJsonBodyBytes } from "../../shared/http/api";
import { taro, useTestStack } from "../support/local-stack";
import { readProblem } from "./problems";

/**
 * Input no real client sends, on every route that takes a path parameter or a body: each answer
 * is a 4xx problem+json naming what is wrong, and nothing is written.
 */
const t = await useTestStack();
const dynamodb = DynamoDBDocument.from(
  new DynamoDBClient(localDynamoDbClientConfig(inject("dynamoEndpoint"))),
);
afterAll(() => dynamodb.destroy());

const withParameters = routes.filter((route) => route.path.includes("{"));
const writes = routes.filter((route) => route.method !== "GET" && route.auth !== "webhook");

/** The route called the way its caller is authenticated: as Taro, or as an admin. */
function call(route: RouteSpec, path: string, init: RequestInit = {}) {
  const headers = new Headers(init.headers);
  if (route.method !== "GET") headers.set("idempotency-key", headers.get("idempotency-key") ?? randomUUID());
  const request = { ...init, method: route.method, headers };
  return route.auth.startsWith("admin:")
    ? t.adminApi(path, request)
    : t.api(path, { ...request, customerId: taro.customerId });
}

const fill = (route: RouteSpec, value: string) => route.path.replace(/\{\w+\}/g, encodeURIComponent(value));
const name = (route: RouteSpec) => `${route.method} ${route.path}`;
const jsonBody = (body: unknown): RequestInit => ({
  headers: { "content-type": "application/json" },
  body: JSON.stringify(body),
});

/** Every item of both tables, so a test can show that nothing was written. */
async function everything(): Promise<number> {
  let count = 0;
  for (const table of [t.names.loyalty, t.names.audit]) {
    const scan = await dynamodb.send(new ScanCommand({ TableName: table, Select: "COUNT" }));
    count += scan.Count ?? 0;
  }
  return count;
}

describe("hostile path parameters", () => {
  const hostile = [
    ["3,000 characters", "7".repeat(3000)],
    ["a literal %", "%"],
    ["an encoded escape", "%2537"],
    ["a slash", "a/b"],
  ] as const;

  it.each(withParameters.flatMap((route) => hostile.map(([label, value]) => ({ route, label, value }))))(
    "$route.method $route.path with $label answers a 4xx problem and writes nothing",
    async ({ route, value }) => {
      const before = await everything();

      const response = await call(route, fill(route, value), route.method === "GET" ? {} : jsonBody({}));

      const text = await response.clone().text();
      expect(response.status, `${name(route)}: ${text}`).toBeGreaterThanOrEqual(400);
      expect(response.status, `${name(route)}: ${text}`).toBeLessThan(500);
      if (response.status !== 404 || response.headers.get("content-type")?.includes("problem")) {
        await readProblem(response, {
          status: response.status,
          code: JSON.parse(text).code ?? "(none)",
        });
      }
      expect(await everything()).toBe(before);
    },
  );

  it("names the parameter and its bound in a 3,000-digit customer id", async () => {
    const response = await t.adminApi(`/v1/admin/customers/${"1".repeat(3000)}/point-adjustments`, {
      method: "POST",
      headers: { "content-type": "application/json", "idempotency-key": randomUUID() },
      body: JSON.stringify({ points: 100, reason: "goodwill", note: "hostile" }),
    });

    const problem = await readProblem(response, { status: 400, code: "invalid_customer_id" });
    expect(problem.detail).toMatch(/customerId.*20 digits/);
  });
});

describe("hostile bodies", () => {
  const pathOf = (route: RouteSpec) =>
    route.path
      .replace("{customerId}", taro.customerId)
      .replace("{conversionId}", "0".repeat(20))
      .replace("{cancellationId}", `NOPE-${"0".repeat(20)}`)
      .replace("{rewardId}", "points-to-yen")
      .replace("{adjustmentId}", "00000000-0000-4000-8000-000000000000")
      .replace("{code}", "NOPE-000000-100");

  it.each(writes)("$method $path refuses a body not sent as JSON (415)", async (route) => {
    const before = await everything();

    const response = await call(route, pathOf(route), {
      headers: { "content-type": "text/plain" },
      body: JSON.stringify({ points: 100 }),
    });

    await readProblem(response, { status: 415, code: "unsupported_media_type" });
    expect(await everything()).toBe(before);
  });

  it.each(writes)("$method $path refuses a body above the bound (413)", async (route) => {
    const before = await everything();

    const response = await call(route, pathOf(route), jsonBody({ note: "x".repeat(maxJsonBodyBytes) }));

    const problem = await readProblem(response, { status: 413, code: "payload_too_large" });
    expect(problem.detail).toContain(String(maxJsonBodyBytes));
    expect(await everything()).toBe(before);
  });

  it.each(writes)("$method $path refuses malformed JSON (400)", async (route) => {
    const response = await call(route, pathOf(route), {
      headers: { "content-type": "application/json" },
      body: '{"points": 1',
    });

    await readProblem(response, { status: 400, code: "invalid_json" });
  });
});

describe("hostile reward attributes", () => {
  const rule = (attributes: unknown) => ({
    name: { ja: "特典", en: "Perk" },
    description: { ja: "説明", en: "Description" },
    cost: { kind: "fixed", points: 300 },
    coupon: { type: "custom", attributes },
  });

  it.each([
    ["a key named constructor", { constructor: "x" }, "constructor"],
    ["a key named __proto__", JSON.parse('{"__proto__": "x"}'), "__proto__"],
    ["51 attributes", Object.fromEntries(Array.from({ length: 51 }, (_, i) => [`k${i}`, "v"])), "at most 50"],
    ["a value of 501 characters", { note: "x".repeat(501) }, "500 characters"],
    ["a key with spaces", { "two words": "x" }, "attribute names"],
  ])("refuses %s with a 400 naming it", async (_label, attributes, reason) => {
    const before = await everything();

    const response = await t.adminApi("/v1/admin/rewards", { method: "POST", ...jsonBody(rule(attributes)) });

    const problem = await readProblem(response, { status: 400, code: "invalid_request" });
    expect(problem.detail).toContain(reason);
    expect(await everything()).toBe(before);
  });
});

describe("hostile cursors", () => {
  const forged = Buffer.from(
    JSON.stringify({ gsi1pk: `CUST#${taro.customerId}`, gsi1sk: "COUPON#", pk: "x", sk: "y", extra: "z" }),
  ).toString("base64url");

  it.each([
    ["/v1/me/coupons", false],
    ["/v1/admin/coupons?status=active", true],
    [`/v1/admin/coupons?customerId=${taro.customerId}`, true],
    ["/v1/admin/conversions?status=needs_review", true],
    ["/v1/admin/cancellations?status=needs_review", true],
  ])("%s refuses a forged cursor (400)", async (path, admin) => {
    const url = `${path}${path.includes("?") ? "&" : "?"}cursor=${forged}`;

    const response = admin ? await t.adminApi(url) : await t.api(url, { customerId: taro.customerId });

    await readProblem(response, { status: 400, code: "invalid_cursor" });
  });
});

describe("a hostile webhook delivery", () => {
  it("answers 400 to a validly signed delivery whose X-Shopify-Webhook-Id is 5,000 characters", async () => {
    const body = JSON.stringify({ id: 1, admin_graphql_api_id: "gid://shopify/Order/1", discount_codes: [] });

    const response = await t.api("/v1/webhooks/shopify", {
      method: "POST",
      headers: {
        "content-type": "application/json",
        "x-shopify-topic": "orders/paid",
        "x-shopify-hmac-sha256": signWebhookBody(body, demoCredentials.shopifyAppSecret),
        "x-shopify-shop-domain": demoShop.domain,
        "x-shopify-api-version": "2026-10",
        "x-shopify-webhook-id": "w".repeat(5000),
        "x-shopify-triggered-at": new Date().toISOString(),
      },
      body,
    });

    await readProblem(response, { status: 400, code: "invalid_webhook_id" });
  });
});
