import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { printedLines } from "../support/printed-lines";

describe("measured adapters", () => {
  beforeAll(() => {
    // Metrics are disabled for tests by default; this test reads what Lambda would print.
    vi.stubEnv("POWERTOOLS_METRICS_DISABLED", "false");
    vi.stubEnv("POWERTOOLS_METRICS_NAMESPACE", "Loyalty");
    vi.resetModules();
  });
  afterAll(() => vi.unstubAllEnvs());

  it("pass results and errors through untouched and print one EMF line per metric", async () => {
    // Prepare
    const { measured } = await import("../../shared/observability");
    const { PosDeclined } = await import("../../shared/errors");
    class FakeLedger {
      calls = 0;
      async addPoints(delta: number) {
        this.calls += 1;
        if (delta < 0) throw new PosDeclined("below zero");
        return { balance: 100 + delta };
      }
    }
    const ledger = measured("pos", new FakeLedger());

    // Act
    let result: unknown;
    let failure: unknown;
    const lines = await printedLines(async () => {
      result = await ledger.addPoints(5);
      failure = await ledger.addPoints(-5).catch((error: unknown) => error);
    });

    // Assess: the saga matches errors by class name, so they must arrive as thrown.
    expect(result).toEqual({ balance: 105 });
    expect(failure).toBeInstanceOf(PosDeclined);
    expect((failure as Error).name).toBe("PosDeclined");
    expect(ledger.calls).toBe(2);
    // One latency line per call, plus one error line for the failure, each with only its own
    // dimensions: the emitter is reused, so none may carry over from the line before.
    const dimensionsOf = (line: Record<string, unknown>) =>
      (line._aws as { CloudWatchMetrics: Array<{ Dimensions: string[][] }> }).CloudWatchMetrics[0]
        ?.Dimensions[0];
    expect(lines.map((line) => [dimensionsOf(line), line.DependencyLatency !== undefined])).toEqual([
      [["service", "dependency", "operation"], true],
      [["service", "dependency", "operation"], true],
      [["service", "dependency", "errorKind"], false],
    ]);
    expect(lines.map((line) => [line.dependency, line.operation, line.errorKind])).toEqual([
      ["pos", "addPoints", undefined],
      ["pos", "addPoints", undefined],
      ["pos", undefined, "PosDeclined"],
    ]);
    expect(lines[2]?.DependencyErrors).toBe(1);
  });

  it("reads whether metrics are disabled when it prints, as a fresh emitter per line did", async () => {
    // Prepare
    const { recordDependencyCall } = await import("../../shared/observability");
    const print = () => printedLines(() => recordDependencyCall("pos", "getPoints", Date.now()));
    expect(await print()).toHaveLength(1);

    // Act
    vi.stubEnv("POWERTOOLS_METRICS_DISABLED", "true");
    const whileDisabled = await print();
    vi.stubEnv("POWERTOOLS_METRICS_DISABLED", "false");
    const afterwards = await print();

    // Assess
    expect(whileDisabled).toEqual([]);
    expect(afterwards).toHaveLength(1);
  });
});
