import { Conflict, NotFound } from "../../errors";
import { type RewardRule, rewardRuleSchema } from "../../rewards/model";
import type { RewardStore } from "../../rewards/ports";
import { loyaltyIndexes } from "../../tables";
import { isConditionalCheckFailed } from "./client";
import { DynamoStore, type Item, type RepositoryOptions, withoutUndefined } from "./common";
import * as keys from "./keys";

/**
 * Reward rules in the loyalty table: `pk = REWARD#<rewardId>`, `sk = REWARD`, listed through the
 * byStatus index under `gsi2pk = REWARDS` in order of creation.
 */
export class DynamoRewardStore extends DynamoStore implements RewardStore {
  constructor(options: RepositoryOptions) {
    super(options);
  }

  async createReward(input: RewardRule): Promise<RewardRule> {
    const rule = rewardRuleSchema.parse(input);
    try {
      await this.client.put({
        TableName: this.table,
        Item: this.#item(rule),
        ConditionExpression: "attribute_not_exists(pk)",
      });
      return rule;
    } catch (error) {
      if (isConditionalCheckFailed(error)) {
        throw new Conflict("reward_exists", `A reward ${rule.rewardId} exists already`);
      }
      throw error;
    }
  }

  async replaceReward(input: RewardRule, expectedVersion: number): Promise<RewardRule> {
    const rule = rewardRuleSchema.parse(input);
    try {
      await this.client.put({
        TableName: this.table,
        Item: this.#item(rule),
        // One whole item, written only over the version the change was based on.
        ConditionExpression: "attribute_exists(pk) AND #version = :expected",
        ExpressionAttributeNames: { "#version": "version" },
        ExpressionAttributeValues: { ":expected": expectedVersion },
        ReturnValuesOnConditionCheckFailure: "ALL_OLD",
      });
      return rule;
    } catch (error) {
      if (!isConditionalCheckFailed(error)) throw error;
      if (error.Item === undefined) throw new NotFound("reward_not_found", `No reward ${rule.rewardId}`);
      throw new Conflict(
        "reward_changed",
        `Reward ${rule.rewardId} was changed since version ${expectedVersion}; read it again`,
      );
    }
  }

  async getReward(rewardId: string): Promise<RewardRule | undefined> {
    const result = await this.client.get({
      TableName: this.table,
      Key: keys.reward(rewardId),
      ConsistentRead: true,
    });
    return result.Item === undefined ? undefined : rewardRuleSchema.parse(result.Item);
  }

  async listRewards(): Promise<RewardRule[]> {
    const rules: RewardRule[] = [];
    let startKey: Item | undefined;
    do {
      const result = await this.client.query({
        TableName: this.table,
        IndexName: loyaltyIndexes.byStatus,
        KeyConditionExpression: "gsi2pk = :pk",
        ExpressionAttributeValues: { ":pk": keys.allRewards },
        ExclusiveStartKey: startKey,
      });
      rules.push(...(result.Items ?? []).map((item) => rewardRuleSchema.parse(item)));
      startKey = result.LastEvaluatedKey;
    } while (startKey !== undefined);
    return rules;
  }

  #item(rule: RewardRule): Item {
    return {
      ...keys.reward(rule.rewardId),
      gsi2pk: keys.allRewards,
      gsi2sk: `${rule.createdAt}#${rule.rewardId}`,
      ...withoutUndefined(rule),
    };
  }
}
