import { LoyaltyError } from "../errors";
import type { CouponTemplate } from "./coupon";
import type { RewardInput } from "./model";

/**
 * Whether a rule can be issued as it says. Each coupon type maps to one Shopify mutation
 * (`discountCodeBasicCreate`, `discountCodeFreeShippingCreate`, `discountCodeBxgyCreate`) or, for
 * `custom`, to an event for the merchant's integration. A property the mutation cannot express is
 * refused when the rule is saved, never dropped silently when a coupon is issued.
 */

export interface RewardProblem {
  /** Path of the property in the request body, e.g. `coupon.capping`. */
  property: string;
  message: string;
  /** `not_expressible`: valid on its own, but Shopify's discount cannot carry it. */
  kind: "invalid" | "not_expressible";
}

export interface RewardContext {
  /** The shop's currency: Shopify applies discount amounts in it. */
  shopCurrency: string;
  /** Points one customer may convert per day: a cost above it could never be paid. */
  dailyLimit: number;
}

/** A rule that cannot be saved; names every property at fault. */
export class RewardRejected extends LoyaltyError {
  override readonly name: string = "RewardRejected";
  readonly status = 422;
  readonly code: string;
  readonly title = "The reward cannot be saved";
  override readonly extensions: Readonly<Record<string, string>>;
  readonly problems: readonly RewardProblem[];
  constructor(problems: readonly RewardProblem[]) {
    super(problems.map((problem) => `${problem.property}: ${problem.message}`).join("; "));
    this.problems = problems;
    this.code = problems.some((problem) => problem.kind === "not_expressible")
      ? "reward_not_expressible"
      : "invalid_reward";
    this.extensions = {
      property: problems[0]?.property ?? "",
      properties: problems.map((problem) => problem.property).join(","),
    };
  }
}

const shopifyMutation: Record<CouponTemplate["type"], string> = {
  fixed_discount: "discountCodeBasicCreate",
  percentage_discount: "discountCodeBasicCreate",
  fixed_rate_discount: "discountCodeBasicCreate",
  free_shipping: "discountCodeFreeShippingCreate",
  free_product: "discountCodeBxgyCreate",
  custom: "the coupon.issued event",
};

export function rewardProblems(input: RewardInput, context: RewardContext): RewardProblem[] {
  const problems: RewardProblem[] = [];
  const invalid = (property: string, message: string) =>
    problems.push({ property, message, kind: "invalid" });
  const inexpressible = (property: string, message: string) =>
    problems.push({ property, message, kind: "not_expressible" });
  const { coupon, cost } = input;
  const type = coupon.type;
  const mutation = shopifyMutation[type];
  const notFor = (property: keyof CouponTemplate, why: string) => {
    if (coupon[property] !== undefined) inexpressible(`coupon.${property}`, `${mutation} ${why}`);
  };
  const notApplicable = (property: keyof CouponTemplate) => {
    if (coupon[property] !== undefined) invalid(`coupon.${property}`, `does not apply to a ${type} coupon`);
  };

  // ---- cost ----
  if (cost.kind === "fixed" && cost.points > context.dailyLimit) {
    invalid("cost.points", `exceeds the daily conversion limit of ${context.dailyLimit} points`);
  }
  if (cost.kind === "variable") {
    if (type !== "fixed_discount" && type !== "custom") {
      invalid(
        "cost",
        `a variable cost needs a coupon whose value follows the points (fixed_discount or custom)`,
      );
    }
    if (cost.minPoints > cost.maxPoints) invalid("cost.maxPoints", "must be at least cost.minPoints");
    if (cost.maxPoints > context.dailyLimit) {
      invalid("cost.maxPoints", `exceeds the daily conversion limit of ${context.dailyLimit} points`);
    }
    for (const bound of ["minPoints", "maxPoints"] as const) {
      if (cost[bound] % cost.pointsPerUnit !== 0) {
        invalid(`cost.${bound}`, `must be a multiple of cost.pointsPerUnit (${cost.pointsPerUnit})`);
      }
    }
  }

  // ---- windows ----
  if (input.activeFrom && input.activeUntil && input.activeFrom >= input.activeUntil) {
    invalid("activeUntil", "must be after activeFrom");
  }
  if (coupon.expiryDate !== undefined && coupon.validityDays !== undefined) {
    invalid("coupon.validityDays", "give either coupon.expiryDate or coupon.validityDays, not both");
  }
  if (
    coupon.startDate &&
    coupon.expiryDate &&
    Date.parse(coupon.startDate) >= Date.parse(coupon.expiryDate)
  ) {
    invalid("coupon.expiryDate", "must be after coupon.startDate");
  }
  if (
    coupon.expiryDate &&
    input.activeUntil &&
    Date.parse(input.activeUntil) > Date.parse(coupon.expiryDate)
  ) {
    invalid("coupon.expiryDate", "must not be before activeUntil: coupons issued later would be expired");
  }

  // ---- entitled items (products and variants may go together, collections alone) ----
  const hasProducts = coupon.entitledProductIds !== undefined || coupon.entitledVariantIds !== undefined;
  const hasCollections = coupon.entitledCollectionIds !== undefined;
  const itemsMixed = () => {
    if (hasProducts && hasCollections) {
      inexpressible(
        "coupon.entitledCollectionIds",
        "Shopify cannot entitle collections in combination with products or variants",
      );
    }
  };

  // ---- per type ----
  switch (type) {
    case "fixed_discount":
    case "fixed_rate_discount": {
      if (cost.kind === "fixed" && coupon.amount === undefined) invalid("coupon.amount", "is required");
      if (cost.kind === "variable" && coupon.amount !== undefined) {
        invalid("coupon.amount", "follows the points of a variable cost; leave it out");
      }
      if (type === "fixed_rate_discount") {
        if (coupon.currency === undefined) invalid("coupon.currency", "is required");
        else if (coupon.currency !== context.shopCurrency) {
          inexpressible(
            "coupon.currency",
            `Shopify applies discount amounts in the shop's currency (${context.shopCurrency}), not ${coupon.currency}`,
          );
        }
      } else if (coupon.currency !== undefined && coupon.currency !== context.shopCurrency) {
        inexpressible(
          "coupon.currency",
          `Shopify applies discount amounts in the shop's currency (${context.shopCurrency})`,
        );
      }
      notApplicable("percentage");
      notFor("capping", "caps only percentages, and cannot cap those either");
      itemsMixed();
      break;
    }
    case "percentage_discount": {
      if (coupon.percentage === undefined) invalid("coupon.percentage", "is required");
      notApplicable("amount");
      notApplicable("currency");
      notFor("capping", "has no maximum discount amount for a percentage");
      itemsMixed();
      break;
    }
    case "free_shipping": {
      notApplicable("amount");
      notApplicable("currency");
      notApplicable("percentage");
      notFor("capping", "has no maximum discount amount");
      notFor("entitledProductIds", "applies to the whole order's shipping, not to products");
      notFor("entitledVariantIds", "applies to the whole order's shipping, not to variants");
      notFor("entitledCollectionIds", "applies to the whole order's shipping, not to collections");
      break;
    }
    case "free_product": {
      notApplicable("amount");
      notApplicable("currency");
      notApplicable("percentage");
      notFor("capping", "has no maximum discount amount");
      notFor("minOrderValue", "has no order subtotal minimum; use coupon.qualifyingPurchase");
      if (!hasProducts && !hasCollections) {
        inexpressible(
          "coupon.entitledProductIds",
          "a free product needs the entitled products, variants or collections that are free",
        );
      }
      itemsMixed();
      const purchase = coupon.qualifyingPurchase;
      if (purchase === undefined) {
        inexpressible(
          "coupon.qualifyingPurchase",
          "discountCodeBxgyCreate needs the items the customer buys; 'all items' is refused",
        );
      } else {
        const buysProducts = purchase.productIds !== undefined || purchase.variantIds !== undefined;
        const buysCollections = purchase.collectionIds !== undefined;
        if (!buysProducts && !buysCollections) {
          inexpressible(
            "coupon.qualifyingPurchase.productIds",
            "discountCodeBxgyCreate needs the products, variants or collections the customer buys",
          );
        }
        if (buysProducts && buysCollections) {
          inexpressible(
            "coupon.qualifyingPurchase.collectionIds",
            "Shopify cannot combine collections with products or variants",
          );
        }
      }
      break;
    }
    case "custom":
      // The merchant's integration interprets every property; nothing is sent to Shopify.
      break;
  }
  if (type !== "free_product") {
    notApplicable("giftQuantity");
    notApplicable("qualifyingPurchase");
  }
  if (type !== "custom") notApplicable("attributes");
  return problems;
}

export function assertRewardValid(input: RewardInput, context: RewardContext): void {
  const problems = rewardProblems(input, context);
  if (problems.length > 0) throw new RewardRejected(problems);
}
