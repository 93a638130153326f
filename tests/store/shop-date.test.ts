import { describe, expect, it } from "vitest";
import { shopLocalDate } from "../../shared/store";

describe("shopLocalDate", () => {
  it.each([
    ["2025-03-31T14:59:59.999Z", "2025-03-31"],
    ["2025-03-31T15:00:00.000Z", "2025-04-01"],
    ["2024-12-31T15:00:00.000Z", "2025-01-01"],
    ["2024-02-28T15:00:00.000Z", "2024-02-29"],
  ])("%s is %s in Tokyo", (instant, day) => {
    expect(shopLocalDate(new Date(instant), "Asia/Tokyo")).toBe(day);
  });

  it("uses the shop's zone, not the machine's", () => {
    expect(shopLocalDate(new Date("2025-03-31T15:00:00.000Z"), "UTC")).toBe("2025-03-31");
  });

  it("refuses an unknown time zone", () => {
    expect(() => shopLocalDate(new Date(), "Mars/Olympus")).toThrow(RangeError);
  });
});
