import { describe, expect, it, vi } from "vitest";
import { PosDeclined } from "../../shared/errors";
import { measured, metrics } from "../../shared/observability";

class FakeLedger {
  calls = 0;
  async addPoints(delta: number) {
    this.calls += 1;
    if (delta < 0) throw new PosDeclined("below zero");
    return { balance: 100 + delta };
  }
}

describe("measured adapters", () => {
  it("pass results and errors through untouched and time every call", async () => {
    // Prepare
    const single = vi.spyOn(metrics, "singleMetric");
    const ledger = measured("pos", new FakeLedger());

    // Act
    const result = await ledger.addPoints(5);
    const failure = await ledger.addPoints(-5).catch((error: unknown) => error);

    // Assess: the saga matches errors by class name, so they must arrive as thrown.
    expect(result).toEqual({ balance: 105 });
    expect(failure).toBeInstanceOf(PosDeclined);
    expect((failure as Error).name).toBe("PosDeclined");
    expect(ledger.calls).toBe(2);
    // One latency metric per call, plus one error metric for the failure.
    expect(single).toHaveBeenCalledTimes(3);
    single.mockRestore();
  });
});
