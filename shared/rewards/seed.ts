import { Conflict } from "../errors";
import type { RewardInput } from "./model";
import type { RewardStore } from "./ports";
import { assertRewardValid, type RewardContext } from "./validation";

/**
 * Puts a fixed catalog in place (the local stack's demo rewards). Rules that exist already are
 * left as they are, so a restart keeps what staff changed.
 */
export async function seedRewards(
  store: Pick<RewardStore, "createReward">,
  rewards: ReadonlyArray<RewardInput & { rewardId: string }>,
  context: RewardContext,
  now: Date,
): Promise<void> {
  for (const { rewardId, ...input } of rewards) {
    assertRewardValid(input, context);
    try {
      await store.createReward({
        ...input,
        rewardId,
        version: 1,
        createdAt: now.toISOString(),
        updatedAt: now.toISOString(),
        createdBy: "demo-data",
        updatedBy: "demo-data",
      });
    } catch (error) {
      if (!(error instanceof Conflict)) throw error;
    }
  }
}
