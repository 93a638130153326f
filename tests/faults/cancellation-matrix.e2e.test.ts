import { describe, expect, it } from "vitest";
import { cellName, singleCells } from "../../bench/fault-matrix";
import { cellTimeoutMs, useFaultMatrix } from "./matrix";

/**
 * The cancellation saga under every single first-call fault: after a clean conversion, each
 * operation a clean cancellation calls (found by running one; the customer's email included)
 * fails its first call in each of the five ways the emulators fail. Checked from the emulators and
 * the admin API (bench/fault-matrix.ts); a parked run is healed by the reconciler before its last
 * check. The every-call cells and the pairs run in `npm run faults`.
 */
const { matrix } = await useFaultMatrix();
const operations = await matrix.discover("cancellation");
const cells = singleCells("cancellation", operations, false).map((cell) => [cellName(cell), cell] as const);

describe("the cancellation saga under one fault", () => {
  it("calls the POS, Shopify, SES and the token endpoints", () => {
    expect(operations.map((o) => `${o.emulator}.${o.operation}`)).toEqual(
      expect.arrayContaining([
        "smaregi.token",
        "smaregi.getPoints",
        "smaregi.addPoints",
        "shopify.oauthAccessToken",
        "shopify.codeDiscountNodeByCode",
        "shopify.discountCodeDeactivate",
        "shopify.metafieldsSet",
        "ses.SendEmail",
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
