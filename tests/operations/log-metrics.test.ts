import { createHmac } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import type { SesApi } from "../../shared/adapters/ses/client";
import {
  ALERT_EMAIL_FAILURE_MESSAGE,
  alertCounted,
  alertFilterPattern,
  CANCELLATION_RECONCILER_RUNS_METRIC,
  CONVERSION_RECONCILER_RUNS_METRIC,
  COUPON_EXPIRY_RUNS_METRIC,
  countedEventFilterPattern,
  dependencyLatencyFilterPattern,
  eventCounted,
  latencyCounted,
  WEBHOOK_SIGNATURE_FAILURES_METRIC,
} from "../../shared/operations/log-metrics";
import type { WebhookDependencies } from "../../shared/usage/webhook";
import { printedLines } from "../support/printed-lines";

describe("Metric filters over the lines the functions really print", () => {
  beforeAll(() => {
    // Metrics are disabled for tests by default; these tests read what Lambda would print.
    vi.stubEnv("POWERTOOLS_METRICS_DISABLED", "false");
    vi.stubEnv("POWERTOOLS_METRICS_NAMESPACE", "Loyalty");
    vi.resetModules();
  });
  afterAll(() => vi.unstubAllEnvs());

  it("counts an alert once, even when its email fails and a second line repeats the kind", async () => {
    // Prepare
    const { EmailAdminAlerts, SesEmailSender } = await import("../../shared/adapters/ses/email");
    const refusingSes: SesApi = {
      sendEmail: async () => Promise.reject(new Error("MessageRejected")),
    };
    const alerts = new EmailAdminAlerts(
      new SesEmailSender(refusingSes, "loyalty@example.com"),
      "ops@example.com",
      "demo",
    );

    // Act
    const lines = await printedLines(() =>
      alerts.raise("needs_review", "deduction outcome unknown", { conversionId: "c1" }),
    );

    // Assess
    expect(lines.filter((line) => line.alert === "needs_review")).toHaveLength(2);
    expect(lines.some((line) => line.message === ALERT_EMAIL_FAILURE_MESSAGE)).toBe(true);
    expect(lines.map((line) => alertCounted(line)).filter(Boolean)).toEqual(["needs_review"]);
  });

  it("reads latency per dependency from the EMF lines, whatever the operation", async () => {
    // Prepare
    const { recordDependencyCall } = await import("../../shared/observability");

    // Act
    const lines = await printedLines(() => {
      recordDependencyCall("pos", "getPoints", Date.now() - 250);
      recordDependencyCall("shopify", "discountCodeBasicCreate", Date.now() - 800, new Error("x"));
    });

    // Assess
    const counted = lines.map((line) => latencyCounted(line)).filter(Boolean);
    expect(counted).toEqual([
      { dependency: "pos", milliseconds: expect.any(Number) },
      { dependency: "shopify", milliseconds: expect.any(Number) },
    ]);
    expect(counted[0]?.milliseconds).toBeGreaterThanOrEqual(250);
    // The error-count line has `dependency` but no latency value.
    expect(lines.some((line) => line.DependencyErrors === 1 && latencyCounted(line) === undefined)).toBe(
      true,
    );
  });

  it("counts a webhook refused for its signature, and not one refused for another reason", async () => {
    // Prepare
    const { handleShopifyWebhook } = await import("../../shared/usage/webhook");
    const deps = { appSecret: "app-secret", shopDomain: "loyalty-demo.myshopify.com" } as WebhookDependencies;
    const body = Buffer.from("{}");
    const forged = { rawBody: body, headers: { "x-shopify-hmac-sha256": "forged" } };
    // Signed with the app secret, but without X-Shopify-Triggered-At: refused as stale.
    const signature = createHmac("sha256", "app-secret").update(body).digest("base64");
    const stale = { rawBody: body, headers: { "x-shopify-hmac-sha256": signature } };

    // Act
    const forgedLines = await printedLines(() => handleShopifyWebhook(deps, forged).catch((e: unknown) => e));
    const staleLines = await printedLines(() => handleShopifyWebhook(deps, stale).catch((e: unknown) => e));

    // Assess
    const counted = (lines: Array<Record<string, unknown>>) =>
      lines.map((line) => eventCounted(line, WEBHOOK_SIGNATURE_FAILURES_METRIC)).filter(Boolean);
    expect(counted(forgedLines)).toEqual([1]);
    expect(counted(staleLines)).toEqual([]);
    expect(
      forgedLines.map((line) => eventCounted(line, CONVERSION_RECONCILER_RUNS_METRIC)).filter(Boolean),
    ).toEqual([]);
  });

  it("writes the patterns from the same fields and values", () => {
    // Assess
    expect(alertFilterPattern()).toBe(
      '{ ($.alert = "needs_review" || $.alert = "compensation_failed" || $.alert = "coupon_record_not_saved" || $.alert = "email_not_sent") && $.message != "admin alert email not sent" }',
    );
    expect(dependencyLatencyFilterPattern()).toBe(
      '{ ($.dependency = "pos" || $.dependency = "shopify") && $.DependencyLatency >= 0 }',
    );
    expect(countedEventFilterPattern(WEBHOOK_SIGNATURE_FAILURES_METRIC)).toBe(
      "{ $.WebhookSignatureFailures >= 1 }",
    );
    expect(countedEventFilterPattern(CONVERSION_RECONCILER_RUNS_METRIC)).toBe(
      "{ $.ConversionReconcilerRuns >= 1 }",
    );
    expect(countedEventFilterPattern(CANCELLATION_RECONCILER_RUNS_METRIC)).toBe(
      "{ $.CancellationReconcilerRuns >= 1 }",
    );
    expect(countedEventFilterPattern(COUPON_EXPIRY_RUNS_METRIC)).toBe("{ $.CouponExpiryRuns >= 1 }");
  });
});
