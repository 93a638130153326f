import { conversionRules } from "../runtime";

/** The reward catalog's composition root: the store is the base's (conversions read it too). */

export { rewardStore } from "../runtime";

/** What saving a rule is checked against. */
export const rewardContext = () => ({
  shopCurrency: conversionRules().currency,
  dailyLimit: conversionRules().dailyLimit,
});
