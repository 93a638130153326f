import type { DiscountCodeSpec, EntitledItems } from "../shopify/ports";
import type { CouponTemplate, IssuedReward } from "./coupon";

/**
 * The Shopify discount a reward's coupon becomes. Only templates that passed `rewardProblems`
 * reach this point, so every property has a place in the mutation it maps to.
 */

export interface IssuedCode {
  code: string;
  title: string;
  /** The conversion id: proves on a retried create that an existing code is ours. */
  marker: string;
  customerGid: string;
  startsAt: string;
  expiresAt: string;
  amount: number;
  currency: string;
}

/**
 * Each code belongs to one customer, so a per-customer limit is a limit on the code: the tighter
 * of the two wins, and one use is the default (the seed's "usable once").
 */
export function usageOf(template: CouponTemplate): { usageLimit: number; appliesOncePerCustomer: boolean } {
  const usageLimit = Math.min(
    template.usageLimit ?? Number.POSITIVE_INFINITY,
    template.limitPerCustomer ?? Number.POSITIVE_INFINITY,
  );
  const limit = Number.isFinite(usageLimit) ? usageLimit : 1;
  return { usageLimit: limit, appliesOncePerCustomer: limit === 1 };
}

function entitledItems(template: CouponTemplate): EntitledItems | undefined {
  if (template.entitledCollectionIds) return { collectionIds: template.entitledCollectionIds };
  if (template.entitledProductIds || template.entitledVariantIds) {
    return {
      ...(template.entitledProductIds ? { productIds: template.entitledProductIds } : {}),
      ...(template.entitledVariantIds ? { variantIds: template.entitledVariantIds } : {}),
    };
  }
  return undefined;
}

function purchaseItems(purchase: NonNullable<CouponTemplate["qualifyingPurchase"]>): EntitledItems {
  if (purchase.collectionIds) return { collectionIds: purchase.collectionIds };
  return {
    ...(purchase.productIds ? { productIds: purchase.productIds } : {}),
    ...(purchase.variantIds ? { variantIds: purchase.variantIds } : {}),
  };
}

export function discountSpecOf(issued: IssuedCode, reward: IssuedReward): DiscountCodeSpec {
  const template = reward.coupon;
  const base = {
    code: issued.code,
    title: issued.title,
    marker: issued.marker,
    customerGid: issued.customerGid,
    startsAt: issued.startsAt,
    endsAt: issued.expiresAt,
    ...usageOf(template),
    // Seed rule: a loyalty coupon is not combined with other discounts.
    combinesWith: { orderDiscounts: false, productDiscounts: false, shippingDiscounts: false },
  };
  const items = entitledItems(template);
  switch (template.type) {
    case "fixed_discount":
    case "fixed_rate_discount":
      return {
        ...base,
        type: "amount_off",
        value: { kind: "fixed_amount", amount: issued.amount, currency: issued.currency },
        ...(template.minOrderValue !== undefined ? { minimumSubtotal: template.minOrderValue } : {}),
        ...(items ? { items } : {}),
      };
    case "percentage_discount":
      return {
        ...base,
        type: "amount_off",
        // Shopify takes a fraction: 10 % is 0.1.
        value: { kind: "percentage", percentage: (template.percentage ?? 0) / 100 },
        ...(template.minOrderValue !== undefined ? { minimumSubtotal: template.minOrderValue } : {}),
        ...(items ? { items } : {}),
      };
    case "free_shipping":
      return {
        ...base,
        type: "free_shipping",
        ...(template.minOrderValue !== undefined ? { minimumSubtotal: template.minOrderValue } : {}),
      };
    case "free_product": {
      if (!items || !template.qualifyingPurchase) {
        throw new Error(
          `Reward ${reward.rewardId} has a free_product coupon without items; it was saved unchecked`,
        );
      }
      return {
        ...base,
        type: "buy_x_get_y",
        buys: {
          quantity: template.qualifyingPurchase.quantity,
          items: purchaseItems(template.qualifyingPurchase),
        },
        gets: { quantity: template.giftQuantity ?? 1, items, percentage: 1 },
        usesPerOrderLimit: 1,
      };
    }
    case "custom":
      throw new Error(`Reward ${reward.rewardId} is custom: it is handed off, not created in Shopify`);
  }
}
