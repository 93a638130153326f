import { afterAll } from "vitest";
import {
  EXECUTION_BOUND_MS,
  FaultMatrix,
  matrixTimeouts,
  scheduledReconcilers,
} from "../../bench/fault-matrix";
import { type TestStack, useTestStack } from "../support/local-stack";

/** A cell ends within the execution bound, plus its checks and, when parked, the reconciler. */
export const cellTimeoutMs = EXECUTION_BOUND_MS + 30_000;

export async function useFaultMatrix(): Promise<{ t: TestStack; matrix: FaultMatrix }> {
  const t = await useTestStack({ waitTimeScale: 0.01, environment: { ...matrixTimeouts } });
  // Imported once the stack's environment is in place, as the scheduled Lambda would read it.
  const matrix = new FaultMatrix({
    stack: t.stack,
    tableNames: t.names,
    reconcile: await scheduledReconcilers(),
  });
  afterAll(() => matrix.close());
  return { t, matrix };
}
