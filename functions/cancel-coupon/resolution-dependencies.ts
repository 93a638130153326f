import type { CancellationResolutionDependencies } from "../../shared/cancellation/resolution";
import { DynamoCancellationResolutionStore } from "../../shared/cancellation/resolution-records";
import { dynamo, env } from "../runtime";
import { cancellationDependencies } from "./runtime";

/** The cancellation review resolution's adapters: the saga's own, plus the resolution claims. */

let built: CancellationResolutionDependencies | undefined;

export function cancellationResolutionDependencies(): CancellationResolutionDependencies {
  built ??= {
    resolutions: new DynamoCancellationResolutionStore({ client: dynamo(), tableName: env.LOYALTY_TABLE }),
    saga: cancellationDependencies(),
    // A refund whose answer was lost may land up to twice the POS write timeout later.
    refundSettleMs: 2 * env.POS_WRITE_TIMEOUT_MS,
    // Longer than the function may run (29 s): an older pending claim died with its request.
    abandonedClaimMs: 60_000,
  };
  return built;
}
