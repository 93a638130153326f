import { describe, expect, it } from "vitest";
import { logAlert, logger } from "../../shared/observability";
import { expectAlerts, expectLogs, unwrappedWrite } from "../support/expected-logs";

/** The capture behind a quiet green run (tests/support/expected-logs.ts). */

/** Runs `act` and returns what the capture let through to the stderr stream itself. */
function reachingStderr(act: () => void): string {
  const stream = process.stderr as NodeJS.WriteStream & { [unwrappedWrite]?: unknown };
  const own = stream[unwrappedWrite];
  const written: string[] = [];
  stream[unwrappedWrite] = (chunk: string) => {
    written.push(chunk);
    return true;
  };
  try {
    act();
  } finally {
    stream[unwrappedWrite] = own;
  }
  return written.join("");
}

describe("expected log lines", () => {
  it("are captured for the test to assert on, not printed", () => {
    // Prepare
    const alerts = expectAlerts("needs_review");

    // Act
    const printed = reachingStderr(() => {
      logAlert("needs_review", "Conversion CONV1 needs review", { conversionId: "CONV1" });
    });

    // Assess
    expect(alerts.lines).toEqual([
      expect.objectContaining({ level: "ERROR", alert: "needs_review", conversionId: "CONV1" }),
    ]);
    expect(printed).toBe("");
  });

  it("leave every line the test did not declare to be printed", () => {
    const declared = expectLogs({ message: "declared" });

    const printed = reachingStderr(() => {
      logger.error("declared");
      logger.error("not declared");
    });

    expect(declared.lines.map((line) => line.message)).toEqual(["declared"]);
    expect(printed).toContain('"message":"not declared"');
    expect(printed).not.toContain('"message":"declared"');
  });

  it("capture nothing once their test has ended", () => {
    const printed = reachingStderr(() => logAlert("needs_review", "Conversion CONV2 needs review"));

    expect(printed).toContain('"alert":"needs_review"');
  });
});
