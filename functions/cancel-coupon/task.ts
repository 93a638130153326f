import type { Context } from "aws-lambda";
import type { CancellationState } from "../../shared/cancellation/saga";
import { logger } from "../../shared/observability";
import { namedStep } from "../named-step";

/**
 * Wraps one cancellation step as a task Lambda, built with only the dependencies that step uses
 * (each a lazily created adapter of the composition root), so the function's bundle holds only
 * their code. Errors are rethrown untouched: their `name` is what the state machine's Retry and
 * Catch match.
 */
export function cancellationTask<Deps, R>(
  named: Readonly<Record<string, (deps: Deps, state: CancellationState) => Promise<R>>>,
  dependencies: () => Deps,
) {
  const [name, step] = namedStep(named, "cancellationTask");
  return async (state: CancellationState, context?: Context): Promise<R> => {
    if (context) logger.addContext(context);
    logger.appendKeys({ cancellationId: state.cancellationId, code: state.code, step: name });
    const started = Date.now();
    try {
      const result = await step(dependencies(), state);
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
