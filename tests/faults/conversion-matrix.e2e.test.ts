import { describe, expect, it } from "vitest";
import { cellName, singleCells } from "../../bench/fault-matrix";
import { cellTimeoutMs, useFaultMatrix } from "./matrix";

/**
 * The conversion saga under every single first-call fault: each operation a clean conversion
 * calls (found by running one) fails its first call in each of the five ways the emulators fail.
 * Each cell is a fresh customer, checked from the emulators and the API (bench/fault-matrix.ts);
 * a parked run is healed by the reconciler before its last check. The every-call cells (slow:
 * a throttled Shopify is waited out) and the pairs run in `npm run faults`.
 */
const { matrix } = await useFaultMatrix();
const operations = await matrix.discover("conversion");
const cells = singleCells("conversion", operations, false).map((cell) => [cellName(cell), cell] as const);

describe("the conversion saga under one fault", () => {
  it("calls the POS, Shopify and the token endpoints of both", () => {
    expect(operations.map((o) => `${o.emulator}.${o.operation}`)).toEqual(
      expect.arrayContaining([
        "smaregi.token",
        "smaregi.listCustomers",
        "smaregi.getPoints",
        "smaregi.addPoints",
        "shopify.oauthAccessToken",
        "shopify.discountCodeBasicCreate",
        "shopify.metafieldsSet",
      ]),
    );
  });

  it.each(cells)(
    "%s",
    async (_name, cell) => {
      const result = await matrix.runCell(cell);

      expect(result.fired, "the fault never fired").not.toEqual([]);
      expect(result.violations, result.trail.join("\n")).toEqual([]);
    },
    cellTimeoutMs,
  );
});
