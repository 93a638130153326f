import type { DiscountCodeInput, DiscountKind, EntitledItems, GetsValue } from "./discount-input";
import { formatDateTime, formatDecimal } from "./format";
import {
  type CustomerRecord,
  type DiscountRecord,
  displayNameOf,
  jsonValueOf,
  type MetafieldRecord,
  type MetafieldsSetInput,
  type ShopifyStore,
} from "./store";

/**
 * Root resolvers for graphql-js (`rootValue`): each turns arguments into one store call and the
 * store's records into objects shaped like Shopify's types. Union members carry `__typename`,
 * which graphql-js' default type resolver reads; fields with arguments are methods.
 */
export function createRootValue(store: ShopifyStore) {
  const money = (amount: string) => ({ amount: formatDecimal(amount), currencyCode: store.currency });

  const customerView = (customer: CustomerRecord) => ({
    id: customer.id,
    email: customer.email,
    defaultEmailAddress: customer.email === null ? null : { emailAddress: customer.email },
    firstName: customer.firstName,
    lastName: customer.lastName,
    displayName: displayNameOf(customer),
    locale: customer.locale,
    createdAt: formatDateTime(customer.createdAt),
    updatedAt: formatDateTime(customer.updatedAt),
    metafield: (args: { namespace?: string | null; key: string }) => {
      const metafield = store.getMetafield(customer.id, args.namespace, args.key);
      return metafield ? metafieldView(metafield) : null;
    },
  });

  const metafieldView = (metafield: MetafieldRecord) => ({
    id: metafield.id,
    namespace: metafield.namespace,
    key: metafield.key,
    type: metafield.type,
    value: metafield.value,
    jsonValue: jsonValueOf(metafield),
    compareDigest: store.digestOf(metafield),
    createdAt: formatDateTime(metafield.createdAt),
    updatedAt: formatDateTime(metafield.updatedAt),
    ownerType: "CUSTOMER",
  });

  const itemsView = (items: EntitledItems) => {
    switch (items.kind) {
      case "all":
        return { __typename: "AllDiscountItems", allItems: true };
      case "products":
        return {
          __typename: "DiscountProducts",
          products: () => ({ nodes: items.productIds.map((id) => ({ id })) }),
          productVariants: () => ({ nodes: items.variantIds.map((id) => ({ id })) }),
        };
      case "collections":
        return {
          __typename: "DiscountCollections",
          collections: () => ({ nodes: items.collectionIds.map((id) => ({ id })) }),
        };
    }
  };

  const valueView = (value: GetsValue) => {
    switch (value.kind) {
      case "amount":
        return {
          __typename: "DiscountAmount",
          amount: money(value.amount),
          appliesOnEachItem: value.appliesOnEachItem,
        };
      case "percentage":
        return { __typename: "DiscountPercentage", percentage: value.percentage };
      case "onQuantity":
        return {
          __typename: "DiscountOnQuantity",
          quantity: { quantity: value.quantity },
          effect:
            value.effect.kind === "amount"
              ? { __typename: "DiscountAmount", amount: money(value.effect.amount), appliesOnEachItem: false }
              : { __typename: "DiscountPercentage", percentage: value.effect.percentage },
        };
    }
  };

  const contextCustomers = (discount: DiscountRecord) =>
    discount.context.kind === "customers"
      ? discount.context.customerIds.flatMap((id) => {
          const customer = store.getCustomer(id);
          return customer ? [customerView(customer)] : [];
        })
      : [];

  const discountView = (discount: DiscountRecord) => {
    const common = {
      title: discount.title,
      status: store.statusOf(discount),
      summary: summaryOf(discount, store.currency),
      startsAt: formatDateTime(discount.startsAt),
      endsAt: discount.endsAt ? formatDateTime(discount.endsAt) : null,
      createdAt: formatDateTime(discount.createdAt),
      updatedAt: formatDateTime(discount.updatedAt),
      asyncUsageCount: store.asyncUsageCountOf(discount),
      usageLimit: discount.usageLimit,
      appliesOncePerCustomer: discount.appliesOncePerCustomer,
      discountClasses: [classOf(discount)],
      combinesWith: discount.combinesWith,
      codes: (args: { first?: number | null }) => ({
        nodes:
          args.first === 0
            ? []
            : [
                {
                  id: discount.redeemCodeId,
                  code: discount.code,
                  asyncUsageCount: store.asyncUsageCountOf(discount),
                },
              ],
        pageInfo: { hasNextPage: false, hasPreviousPage: false, startCursor: null, endCursor: null },
      }),
      codesCount: { count: 1, precision: "EXACT" },
      context:
        discount.context.kind === "all"
          ? { __typename: "DiscountBuyerSelectionAll", all: "ALL" }
          : { __typename: "DiscountCustomers", customers: contextCustomers(discount) },
      customerSelection:
        discount.context.kind === "all"
          ? { __typename: "DiscountCustomerAll", allCustomers: true }
          : { __typename: "DiscountCustomers", customers: contextCustomers(discount) },
      minimumRequirement:
        discount.minimumRequirement?.kind === "subtotal"
          ? {
              __typename: "DiscountMinimumSubtotal",
              greaterThanOrEqualToSubtotal: money(discount.minimumRequirement.amount),
            }
          : discount.minimumRequirement?.kind === "quantity"
            ? {
                __typename: "DiscountMinimumQuantity",
                greaterThanOrEqualToQuantity: discount.minimumRequirement.quantity,
              }
            : null,
      customerGets: discount.customerGets && {
        value: valueView(discount.customerGets.value),
        items: itemsView(discount.customerGets.items),
        appliesOnOneTimePurchase: true,
        appliesOnSubscription: false,
      },
    };
    switch (discount.kind) {
      case "basic":
        return { __typename: "DiscountCodeBasic", ...common };
      case "freeShipping":
        return {
          __typename: "DiscountCodeFreeShipping",
          ...common,
          destinationSelection:
            discount.destination?.kind === "countries"
              ? {
                  __typename: "DiscountCountries",
                  countries: discount.destination.countries,
                  includeRestOfWorld: discount.destination.includeRestOfWorld,
                }
              : { __typename: "DiscountCountryAll", allCountries: true },
          maximumShippingPrice: discount.maximumShippingPrice ? money(discount.maximumShippingPrice) : null,
        };
      case "bxgy":
        return {
          __typename: "DiscountCodeBxgy",
          ...common,
          usesPerOrderLimit: discount.usesPerOrderLimit,
          customerBuys: discount.customerBuys && {
            value:
              discount.customerBuys.value.kind === "quantity"
                ? { __typename: "DiscountQuantity", quantity: discount.customerBuys.value.quantity }
                : { __typename: "DiscountPurchaseAmount", amount: discount.customerBuys.value.amount },
            items: itemsView(discount.customerBuys.items),
          },
        };
    }
  };

  const nodeView = (discount: DiscountRecord) => ({ id: discount.id, codeDiscount: discountView(discount) });

  const create = (kind: DiscountKind, input: DiscountCodeInput) => {
    const result = store.createDiscount(kind, input);
    return "userErrors" in result
      ? { codeDiscountNode: null, userErrors: result.userErrors }
      : { codeDiscountNode: nodeView(result.discount), userErrors: [] };
  };

  const notFound = {
    field: ["id"],
    message: "Code discount does not exist.",
    code: "INVALID",
    extraInfo: null,
  };

  const lifecycle = (id: string, change: (id: string) => DiscountRecord | undefined) => {
    const discount = change(id);
    return discount
      ? { codeDiscountNode: nodeView(discount), userErrors: [] }
      : { codeDiscountNode: null, userErrors: [notFound] };
  };

  /** Date-only updates (all the service sends); other fields are refused rather than ignored. */
  const updateDates = (kind: DiscountKind, id: string, argument: string, input: Record<string, unknown>) => {
    const others = Object.keys(input).filter((key) => key !== "startsAt" && key !== "endsAt");
    const userError = (field: string[], message: string, code: string) => ({
      codeDiscountNode: null,
      userErrors: [{ field, message, code, extraInfo: null }],
    });
    if (others.length > 0) {
      return userError(
        [argument, others[0] ?? ""],
        "This emulator updates only startsAt and endsAt.",
        "INVALID",
      );
    }
    const startsAt = typeof input.startsAt === "string" ? new Date(input.startsAt) : undefined;
    const endsAt =
      input.endsAt === null ? null : typeof input.endsAt === "string" ? new Date(input.endsAt) : undefined;
    const result = store.updateDiscountDates(id, kind, { startsAt, endsAt });
    if (result === "not-found" || result === "wrong-type")
      return { codeDiscountNode: null, userErrors: [notFound] };
    if (result === "ends-before-start") {
      return userError(["endsAt"], "Ends at needs to be after starts_at", "INVALID");
    }
    return { codeDiscountNode: nodeView(result), userErrors: [] };
  };

  return {
    // ---- QueryRoot ----
    customer: ({ id }: { id: string }) => {
      const customer = store.getCustomer(id);
      return customer ? customerView(customer) : null;
    },
    codeDiscountNode: ({ id }: { id: string }) => {
      const discount = store.getDiscount(id);
      return discount ? nodeView(discount) : null;
    },
    codeDiscountNodeByCode: ({ code }: { code: string }) => {
      const discount = store.findDiscountByCode(code);
      return discount ? nodeView(discount) : null;
    },

    // ---- Mutation ----
    discountCodeBasicCreate: ({ basicCodeDiscount }: { basicCodeDiscount: DiscountCodeInput }) =>
      create("basic", basicCodeDiscount),
    discountCodeFreeShippingCreate: ({
      freeShippingCodeDiscount,
    }: {
      freeShippingCodeDiscount: DiscountCodeInput;
    }) => create("freeShipping", freeShippingCodeDiscount),
    discountCodeBxgyCreate: ({ bxgyCodeDiscount }: { bxgyCodeDiscount: DiscountCodeInput }) =>
      create("bxgy", bxgyCodeDiscount),
    discountCodeBasicUpdate: ({
      id,
      basicCodeDiscount,
    }: {
      id: string;
      basicCodeDiscount: Record<string, unknown>;
    }) => updateDates("basic", id, "basicCodeDiscount", basicCodeDiscount),
    discountCodeFreeShippingUpdate: ({
      id,
      freeShippingCodeDiscount,
    }: {
      id: string;
      freeShippingCodeDiscount: Record<string, unknown>;
    }) => updateDates("freeShipping", id, "freeShippingCodeDiscount", freeShippingCodeDiscount),
    discountCodeBxgyUpdate: ({
      id,
      bxgyCodeDiscount,
    }: {
      id: string;
      bxgyCodeDiscount: Record<string, unknown>;
    }) => updateDates("bxgy", id, "bxgyCodeDiscount", bxgyCodeDiscount),
    discountCodeActivate: ({ id }: { id: string }) => lifecycle(id, (key) => store.activateDiscount(key)),
    discountCodeDeactivate: ({ id }: { id: string }) => lifecycle(id, (key) => store.deactivateDiscount(key)),
    discountCodeDelete: ({ id }: { id: string }) =>
      store.deleteDiscount(id)
        ? { deletedCodeDiscountId: id, userErrors: [] }
        : { deletedCodeDiscountId: null, userErrors: [notFound] },
    customerCreate: ({ input }: { input: Parameters<ShopifyStore["createCustomer"]>[0] }) => {
      const result = store.createCustomer(input);
      return "userErrors" in result
        ? { customer: null, userErrors: result.userErrors }
        : { customer: customerView(result.customer), userErrors: [] };
    },
    metafieldsSet: ({ metafields }: { metafields: MetafieldsSetInput[] }) => {
      const result = store.setMetafields(metafields);
      return "userErrors" in result
        ? { metafields: [], userErrors: result.userErrors }
        : { metafields: result.metafields.map(metafieldView), userErrors: [] };
    },
  };
}

function classOf(discount: DiscountRecord): "ORDER" | "PRODUCT" | "SHIPPING" {
  if (discount.kind === "freeShipping") return "SHIPPING";
  if (discount.kind === "bxgy") return "PRODUCT";
  return discount.customerGets?.items.kind === "all" ? "ORDER" : "PRODUCT";
}

function summaryOf(discount: DiscountRecord, currency: string): string {
  const amount = (value: string) =>
    new Intl.NumberFormat("en", { style: "currency", currency }).format(Number(value));
  const parts: string[] = [];
  const value = discount.customerGets?.value;
  const target = discount.customerGets?.items.kind === "all" ? "entire order" : "specific products";
  if (discount.kind === "freeShipping") parts.push("Free shipping");
  else if (value?.kind === "amount") parts.push(`${amount(value.amount)} off ${target}`);
  else if (value?.kind === "percentage")
    parts.push(`${Math.round(value.percentage * 10000) / 100}% off ${target}`);
  else if (discount.kind === "bxgy") parts.push("Buy items, get items at a discount");
  if (discount.minimumRequirement?.kind === "subtotal") {
    parts.push(`Minimum purchase of ${amount(discount.minimumRequirement.amount)}`);
  } else if (discount.minimumRequirement?.kind === "quantity") {
    parts.push(`Minimum quantity of ${discount.minimumRequirement.quantity} items`);
  }
  if (discount.context.kind === "customers") {
    const n = discount.context.customerIds.length;
    parts.push(`For ${n} customer${n === 1 ? "" : "s"}`);
  }
  if (discount.appliesOncePerCustomer) parts.push("One use per customer");
  if (discount.usageLimit != null)
    parts.push(`Limit of ${discount.usageLimit} use${discount.usageLimit === 1 ? "" : "s"}`);
  return parts.join(" • ");
}
