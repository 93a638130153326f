import { afterAll } from "vitest";
import { EXECUTION_BOUND_MS, FaultMatrix } from "../../bench/fault-matrix";
import { type TestStack, useTestStack } from "../support/local-stack";

/**
 * The stack the fault matrices run on: timeouts short enough that a cell whose operation never
 * answers ends in a few seconds, Retry and Wait pauses scaled down.
 */
export const matrixTimeouts = {
  POS_LOOKUP_TIMEOUT_MS: "200",
  POS_WRITE_TIMEOUT_MS: "300",
  SHOPIFY_TIMEOUT_MS: "300",
  SES_TIMEOUT_MS: "300",
} as const;

/** A cell ends within the execution bound, plus its checks and, when parked, the reconciler. */
export const cellTimeoutMs = EXECUTION_BOUND_MS + 30_000;

export async function useFaultMatrix(): Promise<{ t: TestStack; matrix: FaultMatrix }> {
  const t = await useTestStack({ waitTimeScale: 0.01, environment: { ...matrixTimeouts } });
  // Imported once the stack's environment is in place, as the scheduled Lambda would read it.
  const { handler } = await import("../../functions/operations/reconcile-stuck");
  const matrix = new FaultMatrix({ stack: t.stack, tableNames: t.names, reconcile: handler });
  afterAll(() => matrix.close());
  return { t, matrix };
}
