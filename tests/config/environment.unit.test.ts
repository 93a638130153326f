import { describe, expect, it } from "vitest";
import { ConfigurationError, parseEnvironment } from "../../shared/config";

/**
 * What an operator reads when a function's environment is wrong. The messages are the
 * configuration's own, not zod's English locale, which only the HTTP functions load: a scheduled
 * job or a saga task says the same as an API function.
 */

const shop = { SHOP_DOMAIN: "loyalty-demo.myshopify.com" };

function refusal(environment: Record<string, string>): string {
  try {
    parseEnvironment(environment);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigurationError);
    return (error as Error).message;
  }
  throw new Error("the environment was accepted");
}

describe("the environment", () => {
  it("takes its defaults with only the shop's domain set", () => {
    const env = parseEnvironment(shop);

    expect(env).toMatchObject({
      SHOP_DOMAIN: "loyalty-demo.myshopify.com",
      POS_WRITE_TIMEOUT_MS: 15_000,
      ADJUSTMENT_SETTLE_MS: 3_000,
      SMAREGI_API_URL: "https://api.smaregi.jp",
      EMAIL_FROM: "loyalty@example.com",
      DEFAULT_LOCALE: "ja",
    });
  });

  it("reads numbers, URLs and addresses from their text", () => {
    const env = parseEnvironment({
      ...shop,
      POS_WRITE_TIMEOUT_MS: "8000",
      ADJUSTMENT_SETTLE_MS: "0",
      DYNAMODB_ENDPOINT: "http://127.0.0.1:8000",
      ADMIN_EMAIL: "ops@example.com",
    });

    expect(env).toMatchObject({
      POS_WRITE_TIMEOUT_MS: 8000,
      ADJUSTMENT_SETTLE_MS: 0,
      DYNAMODB_ENDPOINT: "http://127.0.0.1:8000",
      ADMIN_EMAIL: "ops@example.com",
    });
  });

  it("names every wrong variable at once, each with what it must be", () => {
    const message = refusal({
      DEFAULT_LOCALE: "fr",
      SHOPIFY_API_VERSION: "v2",
      SMAREGI_CONTRACT_ID: "",
      SMAREGI_API_URL: "api.smaregi.jp",
      POS_LOOKUP_TIMEOUT_MS: "1.5",
      POS_WRITE_TIMEOUT_MS: "soon",
      POS_HISTORY_LIMIT: "0",
      ADJUSTMENT_SETTLE_MS: "-1",
      POS_HISTORY_DAYS: "9999",
      CURRENCY: "YENS",
      EMAIL_FROM: "loyalty",
    });

    const lines = message.split("\n");
    const says = (variable: string, text: string) => {
      const at = lines.indexOf(`  → at ${variable}`);
      expect(at, `${variable} is named`).toBeGreaterThan(0);
      expect(lines[at - 1]).toBe(`✖ ${text}`);
    };
    says("SHOP_DOMAIN", "is required: the shop's <shop>.myshopify.com domain");
    says("DEFAULT_LOCALE", "must be one of en, ja");
    says("SHOPIFY_API_VERSION", "must be a version such as 2026-10, or unstable");
    says("SMAREGI_CONTRACT_ID", "must not be empty");
    says("SMAREGI_API_URL", "must be a URL");
    says("POS_LOOKUP_TIMEOUT_MS", "must be a whole number");
    says("POS_WRITE_TIMEOUT_MS", "must be a whole number");
    says("POS_HISTORY_LIMIT", "must be above 0");
    says("ADJUSTMENT_SETTLE_MS", "must be 0 or more");
    says("POS_HISTORY_DAYS", "must be at most 360");
    says("CURRENCY", "must be a three-letter currency code");
    says("EMAIL_FROM", "must be an email address");
    expect(message).not.toContain("Invalid input");
  });

  it("refuses a shop domain that is not a myshopify.com one", () => {
    expect(refusal({ SHOP_DOMAIN: "shop.example.com" })).toContain("must be <shop>.myshopify.com");
  });
});
