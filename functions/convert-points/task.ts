import type { Context } from "aws-lambda";
import type { SagaState } from "../../shared/conversion/saga";
import { logger } from "../../shared/observability";
import { namedStep } from "../named-step";

/**
 * Wraps one saga step as a task Lambda, built with only the dependencies that step uses (each a
 * lazily created adapter of the composition root), so the function's bundle holds only their code.
 * Errors are rethrown untouched: their `name` is what the state machine's Retry and Catch match.
 */
export function sagaTask<Deps, R>(
  named: Readonly<Record<string, (deps: Deps, state: SagaState) => Promise<R>>>,
  dependencies: () => Deps,
) {
  const [name, step] = namedStep(named, "sagaTask");
  return async (state: SagaState, context?: Context): Promise<R> => {
    if (context) logger.addContext(context);
    logger.appendKeys({ conversionId: state.conversionId, step: name });
    const started = Date.now();
    try {
      const result = await step(dependencies(), state);
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
