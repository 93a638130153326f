import type { Context } from "aws-lambda";
import type { CancellationDependencies, CancellationState } from "../../shared/cancellation/saga";
import { logger } from "../../shared/observability";
import { cancellationDependencies } from "./root";

/**
 * Wraps one cancellation step as a task Lambda. Errors are rethrown untouched: their `name` is
 * what the state machine's Retry and Catch match.
 */
export function cancellationTask<R>(
  step: (deps: CancellationDependencies, state: CancellationState) => Promise<R>,
) {
  return async (state: CancellationState, context?: Context): Promise<R> => {
    if (context) logger.addContext(context);
    logger.appendKeys({ cancellationId: state.cancellationId, code: state.code, step: step.name });
    const started = Date.now();
    try {
      const result = await step(cancellationDependencies(), state);
      logger.info("cancellation step done", { ms: Date.now() - started });
      return result;
    } catch (error) {
      logger.warn("cancellation step failed", {
        ms: Date.now() - started,
        error: error instanceof Error ? error.name : String(error),
      });
      throw error;
    } finally {
      logger.resetKeys();
    }
  };
}
