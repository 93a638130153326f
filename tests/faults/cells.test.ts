import { describe, expect, it } from "vitest";
import { type Operation, pairCells, singleCells } from "../../bench/fault-matrix";

const clean: Operation[] = [
  { emulator: "smaregi", operation: "addPoints" },
  { emulator: "shopify", operation: "discountCodeBasicCreate" },
  { emulator: "ses", operation: "SendEmail" },
];
const recovery: Operation[] = [
  { emulator: "smaregi", operation: "listTransactions" },
  { emulator: "shopify", operation: "discountCodeDelete" },
];
const names = (cells: ReturnType<typeof pairCells>) =>
  cells.map((cell) => cell.faults.map((f) => `${f.operation}:${f.every}`).join("+"));

describe("the fault matrix's cells", () => {
  it("has every kind on every operation, first call and every call", () => {
    const cells = singleCells("conversion", clean);

    expect(cells).toHaveLength(3 * 5 * 2);
    expect(singleCells("conversion", clean, false).every((cell) => !cell.faults[0]?.every)).toBe(true);
    expect(new Set(cells.map((cell) => JSON.stringify(cell.faults))).size).toBe(cells.length);
  });

  it("pairs two different operations, at least one of the clean run, once each", () => {
    const firstFirst = pairCells("conversion", clean, recovery, "first-first");
    const everyFirst = pairCells("conversion", clean, recovery, "every-first");
    const all = pairCells("conversion", clean, recovery, "all");

    // 5 operations: 10 pairs of operations, less the one pair of two recovery-only operations.
    expect(firstFirst).toHaveLength(9 * 25);
    expect(everyFirst).toHaveLength(9 * 50);
    expect(pairCells("conversion", clean, recovery, "mixed")).toHaveLength(9 * 75);
    expect(all).toHaveLength(9 * 100);
    for (const cell of all) expect(cell.faults[0]?.operation).not.toBe(cell.faults[1]?.operation);
    expect(
      names(all).some((name) => name.includes("listTransactions") && name.includes("discountCodeDelete")),
    ).toBe(false);
    expect(
      new Set(
        names(all).map((name, index) => `${name}#${JSON.stringify(all[index]?.faults.map((f) => f.kind))}`),
      ).size,
    ).toBe(all.length);
  });
});
