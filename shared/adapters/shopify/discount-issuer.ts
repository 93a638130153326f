import { ShopifyRejected, ShopifyUnavailable } from "../../errors";
import type {
  CreatedDiscountCode,
  DiscountCodeSpec,
  DiscountCodes,
  EntitledItems,
  Instant,
} from "../../shopify/ports";
import { ShopifyDiscountCodes, toSummary } from "./discount-codes";
import * as create from "./discount-creation-operations";
import type { DiscountNode } from "./discount-operations";
import { rejectUserErrors, type UserErrors } from "./transport";

/**
 * Discount codes with their creation: a code of each type the service issues, idempotent per code
 * (a retry that meets the code with our marker adopts it). Only the functions that issue coupons
 * need it; the others use `ShopifyDiscountCodes`.
 */
export class ShopifyDiscountIssuer extends ShopifyDiscountCodes implements DiscountCodes {
  async createDiscountCode(spec: DiscountCodeSpec): Promise<CreatedDiscountCode> {
    if (!spec.title.includes(spec.marker)) {
      // A title without the marker could never be adopted on retry: a programming error.
      throw new Error(`Discount title "${spec.title}" must contain its marker "${spec.marker}"`);
    }
    const { node, userErrors } = await this.sendCreate(spec);
    if (userErrors.some((error) => error.code === "TAKEN")) return this.adopt(spec, userErrors);
    if (userErrors.length > 0 || !node) throw rejectUserErrors("discount create", userErrors);

    if (spec.type === undefined || spec.type === "amount_off") {
      const echoed = node.codeDiscount.customerGets?.value.amount?.currencyCode;
      if (spec.value.kind === "fixed_amount" && echoed && echoed !== spec.value.currency) {
        // Shopify applies amounts in the shop's currency; a 500 JPY coupon must not become 500 USD.
        await this.deleteDiscount(node.id);
        throw new ShopifyRejected(`The shop's currency is ${echoed}, not ${spec.value.currency}`, [
          { field: ["value", "currency"], message: `Shop currency is ${echoed}`, code: "CURRENCY_MISMATCH" },
        ]);
      }
    }
    const summary = toSummary(node);
    return { discountId: summary.discountId, code: summary.code, status: summary.status, adopted: false };
  }

  private async sendCreate(
    spec: DiscountCodeSpec,
  ): Promise<{ node: DiscountNode | null; userErrors: UserErrors }> {
    const common = {
      title: spec.title,
      code: spec.code,
      startsAt: iso(spec.startsAt),
      endsAt: spec.endsAt == null ? null : iso(spec.endsAt),
      context: { customers: { add: [spec.customerGid] } },
      usageLimit: spec.usageLimit ?? null,
      appliesOncePerCustomer: spec.appliesOncePerCustomer ?? false,
      combinesWith: {
        orderDiscounts: spec.combinesWith?.orderDiscounts ?? false,
        productDiscounts: spec.combinesWith?.productDiscounts ?? false,
        shippingDiscounts: spec.combinesWith?.shippingDiscounts ?? false,
      },
    };
    const minimum = (subtotal: number | string | undefined) =>
      subtotal === undefined ? null : { subtotal: { greaterThanOrEqualToSubtotal: String(subtotal) } };

    switch (spec.type) {
      case undefined:
      case "amount_off": {
        const value =
          spec.value.kind === "fixed_amount"
            ? {
                discountAmount: {
                  amount: String(spec.value.amount),
                  appliesOnEachItem: spec.value.appliesOnEachItem ?? false,
                },
              }
            : { percentage: spec.value.percentage };
        const input = {
          ...common,
          customerGets: { value, items: itemsInput(spec.items) },
          minimumRequirement: minimum(spec.minimumSubtotal),
        };
        const data = await this.graphql.request(
          "discountCodeBasicCreate",
          create.createBasicDiscount.query,
          { input },
          create.createBasicDiscount.schema,
        );
        return {
          node: data.discountCodeBasicCreate.codeDiscountNode,
          userErrors: data.discountCodeBasicCreate.userErrors,
        };
      }
      case "free_shipping": {
        const input = {
          ...common,
          destination: spec.countries
            ? { countries: { add: spec.countries, includeRestOfWorld: false } }
            : { all: true },
          maximumShippingPrice:
            spec.maximumShippingPrice === undefined ? null : String(spec.maximumShippingPrice),
          minimumRequirement: minimum(spec.minimumSubtotal),
        };
        const data = await this.graphql.request(
          "discountCodeFreeShippingCreate",
          create.createFreeShippingDiscount.query,
          { input },
          create.createFreeShippingDiscount.schema,
        );
        return {
          node: data.discountCodeFreeShippingCreate.codeDiscountNode,
          userErrors: data.discountCodeFreeShippingCreate.userErrors,
        };
      }
      case "buy_x_get_y": {
        const input = {
          ...common,
          customerBuys: {
            value: { quantity: String(spec.buys.quantity) },
            items: itemsInput(spec.buys.items),
          },
          customerGets: {
            value: {
              discountOnQuantity: {
                quantity: String(spec.gets.quantity),
                effect: { percentage: spec.gets.percentage ?? 1 },
              },
            },
            items: itemsInput(spec.gets.items),
          },
          usesPerOrderLimit: spec.usesPerOrderLimit ?? null,
        };
        const data = await this.graphql.request(
          "discountCodeBxgyCreate",
          create.createBxgyDiscount.query,
          { input },
          create.createBxgyDiscount.schema,
        );
        return {
          node: data.discountCodeBxgyCreate.codeDiscountNode,
          userErrors: data.discountCodeBxgyCreate.userErrors,
        };
      }
    }
  }

  /** The code exists: ours when its title carries the marker (an earlier attempt got through). */
  private async adopt(spec: DiscountCodeSpec, userErrors: UserErrors): Promise<CreatedDiscountCode> {
    const existing = await this.findDiscountByCode(spec.code);
    if (!existing) {
      // Deleted between our create and this lookup; a retry will create it afresh.
      throw new ShopifyUnavailable(`Discount code ${spec.code} was taken, then gone; retry`);
    }
    if (!existing.title.includes(spec.marker)) throw rejectUserErrors("discount create", userErrors);
    return { discountId: existing.discountId, code: existing.code, status: existing.status, adopted: true };
  }
}

function itemsInput(items: EntitledItems | undefined) {
  if (!items) return { all: true };
  if ("collectionIds" in items) return { collections: { add: items.collectionIds } };
  return {
    products: { productsToAdd: items.productIds ?? [], productVariantsToAdd: items.variantIds ?? [] },
  };
}

function iso(instant: Instant): string {
  return typeof instant === "string" ? instant : instant.toISOString();
}
