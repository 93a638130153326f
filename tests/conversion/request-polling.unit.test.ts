import { describe, expect, it } from "vitest";
import { nextPollIn } from "../../shared/conversion/request";

/**
 * How soon the API reads a conversion again while the customer waits: rarely while the saga
 * prepares, closely from shortly before the deduction's answer is expected.
 */

describe("how soon the API reads the conversion again", () => {
  const intervals = { preparing: 40, settling: 5, leadMs: 100 };
  const started = "2026-11-02T01:00:00.000Z";
  const at = (ms: number) => Date.parse(started) + ms;

  it("every 40 ms while the saga prepares", () => {
    expect(nextPollIn({}, at(0), [600], intervals)).toBe(40);
  });

  it("every 5 ms from the deduction's start when no deduction was seen yet", () => {
    expect(nextPollIn({ deductionStartedAt: started }, at(5), [], intervals)).toBe(5);
  });

  it("every 40 ms until shortly before the shortest recent deduction would answer, then every 5 ms", () => {
    const recent = [640, 600, 720];
    expect(nextPollIn({ deductionStartedAt: started }, at(100), recent, intervals)).toBe(40);
    // The close reads start 100 ms before 600 ms: the wait shortens to land there.
    expect(nextPollIn({ deductionStartedAt: started }, at(480), recent, intervals)).toBe(20);
    expect(nextPollIn({ deductionStartedAt: started }, at(520), recent, intervals)).toBe(5);
    expect(nextPollIn({ deductionStartedAt: started }, at(900), recent, intervals)).toBe(5);
  });
});
