import { readFileSync } from "node:fs";
import { gunzipSync } from "node:zlib";
import {
  buildClientSchema,
  type IntrospectionQuery,
  NoDeprecatedCustomRule,
  parse,
  specifiedRules,
  validate,
} from "graphql";
import { describe, expect, it } from "vitest";
import { CUSTOMER_ACCOUNT_API_VERSION, customerNameQuery } from "../../extensions/loyalty-account/src/host";
import source from "../contracts/shopify/customer-schema.source.json" with { type: "json" };

/**
 * The extension's Customer Account API query against the schema Shopify publishes for the
 * extension's API version (npm `@shopify/dev-mcp`, see customer-schema.source.json): a field Shopify
 * lacks, or one it deprecated, fails here rather than on a shop.
 */
const introspection = JSON.parse(
  gunzipSync(
    readFileSync(
      new URL(`../contracts/shopify/customer_${source.apiVersion}.introspection.json.gz`, import.meta.url),
    ),
  ).toString("utf8"),
) as IntrospectionQuery | { data: IntrospectionQuery };
const schema = buildClientSchema("data" in introspection ? introspection.data : introspection);

describe("the customer name query", () => {
  it("is written for the extension's API version", () => {
    expect(source.apiVersion).toBe(CUSTOMER_ACCOUNT_API_VERSION);
    const toml = readFileSync(
      new URL("../../extensions/loyalty-account/shopify.extension.toml", import.meta.url),
      "utf8",
    );
    expect(toml).toContain(`api_version = "${CUSTOMER_ACCOUNT_API_VERSION}"`);
  });

  it("is valid against the published Customer Account API schema, without deprecated fields", () => {
    // Act
    const errors = validate(schema, parse(customerNameQuery), [...specifiedRules, NoDeprecatedCustomRule]);

    // Assess
    expect(errors.map((error) => error.message)).toEqual([]);
  });

  it("would catch a field the schema does not have", () => {
    const errors = validate(schema, parse("query { customer { firstName nickname } }"));
    expect(errors.map((error) => error.message)).toEqual([expect.stringContaining("nickname")]);
  });
});
