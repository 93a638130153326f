import type { LocalizedText } from "./coupon";
import { usageOf } from "./discount";
import { isRewardActive, minimumPointsOf } from "./issue";
import type { RewardCost, RewardRule } from "./model";

/** The customer's view of the catalog: what is offered now and what they can afford. */

export interface CatalogReward {
  rewardId: string;
  name: LocalizedText;
  description: LocalizedText;
  cost: RewardCost;
  coupon: {
    type: RewardRule["coupon"]["type"];
    amount?: number;
    currency?: string;
    percentage?: number;
    minOrderValue?: number;
    usageLimit: number;
    startDate?: string;
    expiryDate?: string;
    validityDays?: number;
  };
  activeUntil?: string;
  /** The fewest points it can be had for. */
  pointsRequired: number;
  affordable: boolean;
  pointsMissing: number;
}

export function catalogFor(rules: readonly RewardRule[], balance: number, now: Date): CatalogReward[] {
  return rules
    .filter((rule) => isRewardActive(rule, now))
    .map((rule) => {
      const pointsRequired = minimumPointsOf(rule.cost);
      const { coupon } = rule;
      return {
        rewardId: rule.rewardId,
        name: rule.name,
        description: rule.description,
        cost: rule.cost,
        coupon: {
          type: coupon.type,
          ...(coupon.amount !== undefined ? { amount: coupon.amount } : {}),
          ...(coupon.currency !== undefined ? { currency: coupon.currency } : {}),
          ...(coupon.percentage !== undefined ? { percentage: coupon.percentage } : {}),
          ...(coupon.minOrderValue !== undefined ? { minOrderValue: coupon.minOrderValue } : {}),
          usageLimit: usageOf(coupon).usageLimit,
          ...(coupon.startDate !== undefined ? { startDate: coupon.startDate } : {}),
          ...(coupon.expiryDate !== undefined ? { expiryDate: coupon.expiryDate } : {}),
          ...(coupon.validityDays !== undefined ? { validityDays: coupon.validityDays } : {}),
        },
        ...(rule.activeUntil !== undefined ? { activeUntil: rule.activeUntil } : {}),
        pointsRequired,
        affordable: balance >= pointsRequired,
        pointsMissing: Math.max(0, pointsRequired - balance),
      };
    })
    .sort((a, b) => a.pointsRequired - b.pointsRequired || a.rewardId.localeCompare(b.rewardId));
}
