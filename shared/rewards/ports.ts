import type { RewardRule } from "./model";

/** Where reward rules live; the DynamoDB implementation is `DynamoRewardStore`, tests may fake it. */
export interface RewardStore {
  /** Conditional: `Conflict("reward_exists")` when the id is taken. */
  createReward(rule: RewardRule): Promise<RewardRule>;
  /**
   * Replaces the rule only while its stored version is `expectedVersion`: `NotFound` when there
   * is none, `Conflict("reward_changed")` when someone saved it meanwhile.
   */
  replaceReward(rule: RewardRule, expectedVersion: number): Promise<RewardRule>;
  getReward(rewardId: string): Promise<RewardRule | undefined>;
  /** Every rule, oldest first; a catalog is tens of rules, not thousands. */
  listRewards(): Promise<RewardRule[]>;
}
