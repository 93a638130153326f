import { App } from "aws-cdk-lib";
import { describe, expect, it } from "vitest";
import cdkJson from "../../cdk.json" with { type: "json" };
import { alarmEmail, loadStage, parseStageConfig, StageConfigError } from "../../infra/stage-config";

const demo = cdkJson.context.stages.demo;

describe("Stage configuration", () => {
  it("accepts the committed demo stage", () => {
    // Act
    const stage = parseStageConfig("demo", demo);

    // Assess
    expect(stage.config.shopDomain).toBe("loyalty-demo.myshopify.com");
    expect(stage.config.rules.dailyPointsLimit).toBe(10_000);
  });

  it("rejects a shop domain that is not <shop>.myshopify.com, naming the field", () => {
    // Act
    const parse = () => parseStageConfig("demo", { ...demo, shopDomain: "shop.example.com" });

    // Assess
    expect(parse).toThrow(StageConfigError);
    expect(parse).toThrow(/stage "demo"[\s\S]*must be <shop>\.myshopify\.com[\s\S]*at shopDomain/);
  });

  it("names nested fields and every wrong value at once", () => {
    // Act
    const parse = () =>
      parseStageConfig("demo", {
        ...demo,
        smaregi: { ...demo.smaregi, environment: "staging" },
        storefrontOrigins: ["https://shop.example.com/"],
        rules: { ...demo.rules, pointsMinimum: 150 },
      });

    // Assess
    expect(parse).toThrow(/at smaregi\.environment/);
    expect(parse).toThrow(/at storefrontOrigins\[0\]/);
    expect(parse).toThrow(/pointsMinimum must be a multiple of pointsUnit/);
  });

  it("rejects unknown keys, so a misspelt setting does not silently fall back", () => {
    expect(() => parseStageConfig("demo", { ...demo, shopDomian: "x" })).toThrow(/shopDomian/);
  });

  it.each([
    ["email", { email: { ...demo.email, createIdentty: false } }, /"createIdentty".*at email/s],
    ["rules", { rules: { ...demo.rules, pointUnit: 100 } }, /"pointUnit".*at rules/s],
    ["smaregi", { smaregi: { ...demo.smaregi, memberFeild: "customerNo" } }, /"memberFeild".*at smaregi/s],
    ["alarms", { alarms: { posLatencyP95: 1000 } }, /"posLatencyP95".*at alarms/s],
  ])("rejects a misspelt key inside %s, naming it", (_section, patch, message) => {
    expect(() => parseStageConfig("demo", { ...demo, ...patch })).toThrow(message);
  });

  it('accepts "*" as the only CORS origin, as Shopify requires for customer account extensions', () => {
    // Act / Assess
    expect(parseStageConfig("demo", { ...demo, storefrontOrigins: ["*"] }).config.storefrontOrigins).toEqual([
      "*",
    ]);
    expect(() =>
      parseStageConfig("demo", { ...demo, storefrontOrigins: ["*", "https://shop.example.com"] }),
    ).toThrow(/list it alone/);
  });

  it("takes an optional ISO 4217 coupon currency", () => {
    // Act / Assess
    expect(parseStageConfig("demo", demo).config.rules.currency).toBeUndefined();
    expect(
      parseStageConfig("demo", { ...demo, rules: { ...demo.rules, currency: "JPY" } }).config.rules.currency,
    ).toBe("JPY");
    expect(() => parseStageConfig("demo", { ...demo, rules: { ...demo.rules, currency: "yen" } })).toThrow(
      /at rules\.currency/,
    );
  });

  it("selects the stage named by -c stage and explains an unknown one", () => {
    // Prepare
    const context = { stages: { demo } };

    // Act / Assess
    expect(loadStage(new App({ context }).node).name).toBe("demo");
    expect(() => loadStage(new App({ context: { ...context, stage: "production" } }).node)).toThrow(
      /Unknown stage "production": add it under context\.stages in cdk\.json \(known stages: demo\)/,
    );
  });

  it("accepts the stages object given as JSON on the command line", () => {
    // Prepare
    const stages = JSON.stringify({ staging: { ...demo, shopDomain: "loyalty-staging.myshopify.com" } });

    // Act
    const stage = loadStage(new App({ context: { stage: "staging", stages } }).node);

    // Assess
    expect(stage.config.shopDomain).toBe("loyalty-staging.myshopify.com");
  });

  it.each([
    [
      "shopifyApiVersion",
      { shopifyApiVersion: "2026-03" },
      /must be a stable Shopify version[\s\S]*at shopifyApiVersion/,
    ],
    ["smaregi.contractId", { smaregi: { ...demo.smaregi, contractId: "" } }, /at smaregi\.contractId/],
    [
      "smaregi.memberField",
      { smaregi: { ...demo.smaregi, memberField: "email" } },
      /at smaregi\.memberField/,
    ],
    ["rules.pointsUnit", { rules: { ...demo.rules, pointsUnit: 0 } }, /at rules\.pointsUnit/],
    [
      "rules.dailyPointsLimit",
      { rules: { ...demo.rules, dailyPointsLimit: 50 } },
      /dailyPointsLimit must be at least pointsMinimum/,
    ],
    ["rules.yenPerPoint", { rules: { ...demo.rules, yenPerPoint: 0.5 } }, /at rules\.yenPerPoint/],
    [
      "rules.couponValidityDays",
      { rules: { ...demo.rules, couponValidityDays: 0 } },
      /at rules\.couponValidityDays/,
    ],
    ["defaultLocale", { defaultLocale: "fr" }, /at defaultLocale/],
    ["shopTimeZone", { shopTimeZone: "Asia/Tokio" }, /must be an IANA time zone[\s\S]*at shopTimeZone/],
    ["email.from", { email: { ...demo.email, from: "loyalty" } }, /at email\.from/],
    ["email.admin", { email: { ...demo.email, admin: "ops at example.com" } }, /at email\.admin/],
    ["alarms.email", { alarms: { email: "oncall" } }, /at alarms\.email/],
    ["alarms.posLatencyP95Ms", { alarms: { posLatencyP95Ms: -1 } }, /at alarms\.posLatencyP95Ms/],
    ["alarms.api5xxRatePercent", { alarms: { api5xxRatePercent: 150 } }, /at alarms\.api5xxRatePercent/],
    ["alarms.api5xxCount", { alarms: { api5xxCount: 0 } }, /at alarms\.api5xxCount/],
  ] as const)("fails on a wrong %s, naming the stage and the field", (_field, override, message) => {
    // Act
    const parse = () => parseStageConfig("demo", { ...demo, ...override });

    // Assess
    expect(parse).toThrow(StageConfigError);
    expect(parse).toThrow(/Invalid configuration for stage "demo"/);
    expect(parse).toThrow(message);
  });

  it("defaults the alarm thresholds and sends alarms to the admin address", () => {
    // Act
    const stage = parseStageConfig("demo", demo);

    // Assess
    expect(stage.config.alarms).toEqual({
      posLatencyP95Ms: 2000,
      shopifyLatencyP95Ms: 3000,
      api5xxRatePercent: 5,
      api5xxCount: 3,
    });
    expect(alarmEmail(stage.config)).toBe("ops@example.com");
    expect(
      alarmEmail(parseStageConfig("demo", { ...demo, alarms: { email: "oncall@example.com" } }).config),
    ).toBe("oncall@example.com");
  });
});
