import type { SESClient } from "@aws-sdk/client-ses";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import {
  ALERT_EMAIL_FAILURE_MESSAGE,
  alertCounted,
  alertFilterPattern,
  dependencyLatencyFilterPattern,
  latencyCounted,
} from "../../shared/operations/log-metrics";

/** Runs `act` and returns the JSON lines the logger and the metrics emitter wrote. */
async function printedLines(act: () => Promise<void> | void): Promise<Array<Record<string, unknown>>> {
  const written: string[] = [];
  const capture = (chunk: string | Uint8Array) => {
    written.push(typeof chunk === "string" ? chunk : Buffer.from(chunk).toString("utf8"));
    return true;
  };
  // Lambda sends both streams to the log group; the logger writes errors to stderr.
  const spies = [
    vi.spyOn(process.stdout, "write").mockImplementation(capture),
    vi.spyOn(process.stderr, "write").mockImplementation(capture),
  ];
  try {
    await act();
  } finally {
    for (const spy of spies) spy.mockRestore();
  }
  return written
    .join("")
    .split("\n")
    .filter((line) => line.startsWith("{"))
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

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
    const { EmailAdminAlerts } = await import("../../shared/alerts");
    const refusingSes = {
      send: async () => Promise.reject(new Error("MessageRejected")),
    } as unknown as SESClient;
    const alerts = new EmailAdminAlerts(refusingSes, "loyalty@example.com", "ops@example.com", "demo");

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

  it("writes the patterns from the same fields and values", () => {
    // Assess
    expect(alertFilterPattern()).toBe(
      '{ ($.alert = "needs_review" || $.alert = "compensation_failed" || $.alert = "coupon_record_not_saved" || $.alert = "email_not_sent") && $.message != "admin alert email not sent" }',
    );
    expect(dependencyLatencyFilterPattern()).toBe(
      '{ ($.dependency = "pos" || $.dependency = "shopify") && $.DependencyLatency >= 0 }',
    );
  });
});
