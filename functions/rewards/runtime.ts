import { DynamoRewardStore } from "../../shared/store/dynamodb/rewards";
import { conversionRules, dynamo, env } from "../runtime";

/** The reward catalog's part of the composition root, built on the shared one's clients. */

function once<T>(build: () => T): () => T {
  let value: T | undefined;
  return () => {
    value ??= build();
    return value;
  };
}

export const rewardStore = once(
  () => new DynamoRewardStore({ client: dynamo(), tableName: env.LOYALTY_TABLE }),
);

/** What saving a rule is checked against. */
export const rewardContext = () => ({
  shopCurrency: conversionRules.currency,
  dailyLimit: conversionRules.dailyLimit,
});
