import type { Context } from "aws-lambda";
import type { SagaDependencies, SagaState } from "../../shared/conversion/saga";
import { logger } from "../../shared/observability";
import { sagaDependencies } from "./root";

/**
 * Wraps one saga step as a task Lambda. Errors are rethrown untouched: their `name` is what the
 * state machine's Retry and Catch match.
 */
export function sagaTask<R>(step: (deps: SagaDependencies, state: SagaState) => Promise<R>) {
  return async (state: SagaState, context?: Context): Promise<R> => {
    if (context) logger.addContext(context);
    logger.appendKeys({ conversionId: state.conversionId, step: step.name });
    const started = Date.now();
    try {
      const result = await step(sagaDependencies(), state);
      logger.info("saga step done", { ms: Date.now() - started });
      return result;
    } catch (error) {
      logger.warn("saga step failed", {
        ms: Date.now() - started,
        error: error instanceof Error ? error.name : String(error),
      });
      throw error;
    } finally {
      logger.resetKeys();
    }
  };
}
