import { isDecimal, toWholeSeconds } from "./format";

/**
 * Validation of the discount create inputs, returning Shopify's `DiscountUserError`s.
 * Messages and codes follow the live captures in the research notes; where a message was not
 * captured, a plausible one in Shopify's style is used (marked below).
 */

export type DiscountKind = "basic" | "freeShipping" | "bxgy";

export const argumentNameOf: Record<DiscountKind, string> = {
  basic: "basicCodeDiscount",
  freeShipping: "freeShippingCodeDiscount",
  bxgy: "bxgyCodeDiscount",
};

export interface DiscountUserError {
  field: string[] | null;
  message: string;
  code: string | null;
  extraInfo: string | null;
}

// ---- GraphQL inputs, as graphql-js hands them over after validating against the schema ----

type Maybe<T> = T | null | undefined;

export interface CustomersInput {
  add?: Maybe<string[]>;
  remove?: Maybe<string[]>;
}
export interface ContextInput {
  all?: Maybe<"ALL">;
  customers?: Maybe<CustomersInput>;
}
export interface CustomerSelectionInput {
  all?: Maybe<boolean>;
  customers?: Maybe<CustomersInput>;
}
export interface ItemsInput {
  all?: Maybe<boolean>;
  products?: Maybe<{
    productsToAdd?: Maybe<string[]>;
    productVariantsToAdd?: Maybe<string[]>;
  }>;
  collections?: Maybe<{ add?: Maybe<string[]> }>;
}
export interface CustomerGetsInput {
  value?: Maybe<{
    discountAmount?: Maybe<{ amount?: Maybe<string | number>; appliesOnEachItem?: Maybe<boolean> }>;
    percentage?: Maybe<number>;
    discountOnQuantity?: Maybe<{
      quantity?: Maybe<string | number>;
      effect?: Maybe<{ amount?: Maybe<string | number>; percentage?: Maybe<number> }>;
    }>;
  }>;
  items?: Maybe<ItemsInput>;
  appliesOnOneTimePurchase?: Maybe<boolean>;
  appliesOnSubscription?: Maybe<boolean>;
}
export interface MinimumRequirementInput {
  subtotal?: Maybe<{ greaterThanOrEqualToSubtotal?: Maybe<string | number> }>;
  quantity?: Maybe<{ greaterThanOrEqualToQuantity?: Maybe<string | number> }>;
}
export interface CombinesWithInput {
  orderDiscounts?: Maybe<boolean>;
  productDiscounts?: Maybe<boolean>;
  shippingDiscounts?: Maybe<boolean>;
}
export interface DiscountCodeInput {
  title?: Maybe<string>;
  code?: Maybe<string>;
  startsAt?: Maybe<string>;
  endsAt?: Maybe<string>;
  context?: Maybe<ContextInput>;
  customerSelection?: Maybe<CustomerSelectionInput>;
  customerGets?: Maybe<CustomerGetsInput>;
  customerBuys?: Maybe<{
    value?: Maybe<{ amount?: Maybe<string | number>; quantity?: Maybe<string | number> }>;
    items?: Maybe<ItemsInput>;
  }>;
  minimumRequirement?: Maybe<MinimumRequirementInput>;
  usageLimit?: Maybe<number>;
  usesPerOrderLimit?: Maybe<number>;
  appliesOncePerCustomer?: Maybe<boolean>;
  combinesWith?: Maybe<CombinesWithInput>;
  destination?: Maybe<{
    all?: Maybe<boolean>;
    countries?: Maybe<{ add?: Maybe<string[]>; includeRestOfWorld?: Maybe<boolean> }>;
  }>;
  maximumShippingPrice?: Maybe<string | number>;
}

// ---- The normalised discount the store keeps ----

export type BuyerContext = { kind: "all" } | { kind: "customers"; customerIds: string[] };
export type EntitledItems =
  | { kind: "all" }
  | { kind: "products"; productIds: string[]; variantIds: string[] }
  | { kind: "collections"; collectionIds: string[] };
export type GetsValue =
  | { kind: "amount"; amount: string; appliesOnEachItem: boolean }
  | { kind: "percentage"; percentage: number }
  | {
      kind: "onQuantity";
      quantity: string;
      effect: { kind: "amount"; amount: string } | { kind: "percentage"; percentage: number };
    };
export type MinimumRequirement =
  | { kind: "subtotal"; amount: string }
  | { kind: "quantity"; quantity: string };
export interface CombinesWith {
  orderDiscounts: boolean;
  productDiscounts: boolean;
  shippingDiscounts: boolean;
}

export interface NewDiscount {
  kind: DiscountKind;
  title: string;
  code: string;
  startsAt: Date;
  endsAt: Date | null;
  /** `context` and the deprecated `customerSelection` input are stored alike. */
  context: BuyerContext;
  usageLimit: number | null;
  usesPerOrderLimit: number | null;
  appliesOncePerCustomer: boolean;
  combinesWith: CombinesWith;
  minimumRequirement: MinimumRequirement | null;
  customerGets: { value: GetsValue; items: EntitledItems } | null;
  customerBuys: {
    value: { kind: "quantity"; quantity: string } | { kind: "amount"; amount: string };
    items: EntitledItems;
  } | null;
  destination:
    | { kind: "all" }
    | { kind: "countries"; countries: string[]; includeRestOfWorld: boolean }
    | null;
  maximumShippingPrice: string | null;
}

export interface ValidationContext {
  customerExists: (gid: string) => boolean;
  codeTaken: (code: string) => boolean;
}

const gidPattern = (type: string) => new RegExp(`^gid://shopify/${type}/[1-9]\\d*$`);

export function validateDiscountInput(
  kind: DiscountKind,
  input: DiscountCodeInput,
  ctx: ValidationContext,
): { discount: NewDiscount } | { userErrors: DiscountUserError[] } {
  const arg = argumentNameOf[kind];
  const errors: DiscountUserError[] = [];
  const fail = (path: string[], message: string, code: string) =>
    errors.push({ field: [arg, ...path], message, code, extraInfo: null });

  const title = input.title ?? "";
  if (title.trim() === "") fail(["title"], "Title can't be blank", "BLANK");
  else if (title.length > 255) fail(["title"], "Title is too long (maximum is 255 characters)", "TOO_LONG");

  const code = input.code ?? "";
  if (code.trim() === "") fail(["code"], "Code can't be blank", "BLANK");
  else if (code.length > 255) fail(["code"], "Code is too long (maximum is 255 characters)", "TOO_LONG");
  else if (/[\r\n]/.test(code)) fail(["code"], "Code cannot contain newline characters.", "INVALID");
  else if (ctx.codeTaken(code)) fail(["code"], "Code must be unique. Please try a different code.", "TAKEN");

  const startsAt = parseDate(input.startsAt);
  if (input.startsAt == null) fail(["startsAt"], "Starts at can't be blank", "BLANK");
  else if (!startsAt) fail(["startsAt"], "Starts at is invalid", "INVALID"); // message not captured
  const endsAt = parseDate(input.endsAt);
  if (input.endsAt != null && !endsAt) fail(["endsAt"], "Ends at is invalid", "INVALID"); // not captured
  if (startsAt && endsAt && endsAt < startsAt)
    fail(["endsAt"], "Ends at needs to be after starts_at", "INVALID");

  const context = validateContext(input, ctx, fail);

  if (input.usageLimit != null && input.usageLimit <= 0) {
    fail(["usageLimit"], "Usage limit must be greater than 0", "GREATER_THAN");
  }
  if (input.usesPerOrderLimit != null && input.usesPerOrderLimit <= 0) {
    fail(["usesPerOrderLimit"], "Uses per order limit must be greater than 0", "GREATER_THAN");
  }

  const minimumRequirement = kind === "bxgy" ? null : validateMinimum(input.minimumRequirement, fail);
  const combinesWith: CombinesWith = {
    orderDiscounts: input.combinesWith?.orderDiscounts ?? false,
    productDiscounts: input.combinesWith?.productDiscounts ?? false,
    shippingDiscounts: input.combinesWith?.shippingDiscounts ?? false,
  };

  let customerGets: NewDiscount["customerGets"] = null;
  let customerBuys: NewDiscount["customerBuys"] = null;
  let destination: NewDiscount["destination"] = null;
  let maximumShippingPrice: string | null = null;

  if (kind === "basic") {
    customerGets = validateBasicGets(input.customerGets, fail);
  } else if (kind === "bxgy") {
    ({ customerGets, customerBuys } = validateBxgy(input, fail));
  } else {
    if (combinesWith.shippingDiscounts) {
      // Message not captured; the code is the one Shopify documents for this case.
      fail(
        ["combinesWith"],
        "The combinesWith settings are not valid for the discount class.",
        "INVALID_COMBINES_WITH_FOR_DISCOUNT_CLASS",
      );
    }
    const countries = input.destination?.countries;
    destination = countries
      ? {
          kind: "countries",
          countries: countries.add ?? [],
          includeRestOfWorld: countries.includeRestOfWorld ?? false,
        }
      : { kind: "all" };
    if (input.maximumShippingPrice != null) {
      if (isDecimal(input.maximumShippingPrice) && Number(input.maximumShippingPrice) >= 0) {
        maximumShippingPrice = String(input.maximumShippingPrice);
      } else {
        fail(["maximumShippingPrice"], "Maximum shipping price is invalid", "INVALID");
      }
    }
  }

  if (errors.length > 0 || !startsAt || !context) return { userErrors: errors };
  return {
    discount: {
      kind,
      title,
      code,
      startsAt: toWholeSeconds(startsAt),
      endsAt: endsAt ? toWholeSeconds(endsAt) : null,
      context,
      usageLimit: input.usageLimit ?? null,
      usesPerOrderLimit: input.usesPerOrderLimit ?? null,
      appliesOncePerCustomer: input.appliesOncePerCustomer ?? false,
      combinesWith,
      minimumRequirement,
      customerGets,
      customerBuys,
      destination,
      maximumShippingPrice,
    },
  };
}

type Fail = (path: string[], message: string, code: string) => void;

function parseDate(value: Maybe<string>): Date | null {
  if (value == null) return null;
  const time = Date.parse(value);
  return Number.isNaN(time) ? null : new Date(time);
}

function validateContext(input: DiscountCodeInput, ctx: ValidationContext, fail: Fail): BuyerContext | null {
  if (input.context && input.customerSelection) {
    fail(["context"], "Only one of context or customerSelection can be provided.", "INVALID");
    return null;
  }
  const chosen = input.context ?? input.customerSelection;
  const path = input.context ? "context" : "customerSelection";
  if (!chosen) {
    fail([path], "Customer selection can't be blank", "BLANK");
    return null;
  }
  const wantsAll = Boolean(chosen.all);
  const customerIds = chosen.customers?.add ?? [];
  if (wantsAll && chosen.customers) {
    // Message not captured.
    fail([path], "Only one of all or customers can be provided.", "INVALID");
    return null;
  }
  if (wantsAll) return { kind: "all" };
  if (customerIds.length === 0) {
    fail([path], "Customer selection can't be blank", "BLANK");
    return null;
  }
  let valid = true;
  for (const id of customerIds) {
    if (!gidPattern("Customer").test(id) || !ctx.customerExists(id)) {
      // Message modelled on the captured product one.
      fail([path, "customers", "add"], `Customer with id: ${id} is invalid`, "INVALID");
      valid = false;
    }
  }
  return valid ? { kind: "customers", customerIds: [...new Set(customerIds)] } : null;
}

function validateMinimum(minimum: Maybe<MinimumRequirementInput>, fail: Fail): MinimumRequirement | null {
  const subtotal = minimum?.subtotal?.greaterThanOrEqualToSubtotal;
  const quantity = minimum?.quantity?.greaterThanOrEqualToQuantity;
  if (subtotal != null && quantity != null) {
    fail(
      ["minimumRequirement", "subtotal", "greaterThanOrEqualToSubtotal"],
      "Minimum subtotal cannot be defined when minimum quantity is.",
      "CONFLICT",
    );
    return null;
  }
  if (subtotal != null) {
    if (!isDecimal(subtotal) || Number(subtotal) < 0) {
      fail(["minimumRequirement", "subtotal", "greaterThanOrEqualToSubtotal"], "Value is invalid", "INVALID");
      return null;
    }
    return { kind: "subtotal", amount: String(subtotal) };
  }
  if (quantity != null) {
    if (!/^\d+$/.test(String(quantity)) || Number(quantity) < 1) {
      fail(
        ["minimumRequirement", "quantity", "greaterThanOrEqualToQuantity"],
        "Minimum quantity must be greater than 0",
        "GREATER_THAN",
      );
      return null;
    }
    return { kind: "quantity", quantity: String(quantity) };
  }
  return null;
}

function validateItems(items: Maybe<ItemsInput>, path: string[], fail: Fail): EntitledItems | null {
  if (!items) {
    fail(path, "Items can't be blank", "BLANK");
    return null;
  }
  const products = items.products;
  const collections = items.collections;
  const hasProducts =
    (products?.productsToAdd?.length ?? 0) > 0 || (products?.productVariantsToAdd?.length ?? 0) > 0;
  const hasCollections = (collections?.add?.length ?? 0) > 0;
  if (hasCollections && hasProducts) {
    fail(
      [...path, "collections", "add"],
      "Cannot entitle collections in combination with product variants or products",
      "CONFLICT",
    );
    return null;
  }
  if (hasProducts) {
    let valid = true;
    for (const id of products?.productsToAdd ?? []) {
      if (!gidPattern("Product").test(id)) {
        fail(
          [...path, "products", "productsToAdd"],
          `Product with id: ${numericOrRaw(id)} is invalid`,
          "INVALID",
        );
        valid = false;
      }
    }
    for (const id of products?.productVariantsToAdd ?? []) {
      if (!gidPattern("ProductVariant").test(id)) {
        fail(
          [...path, "products", "productVariantsToAdd"],
          `Product variant with id: ${numericOrRaw(id)} is invalid`,
          "INVALID",
        );
        valid = false;
      }
    }
    return valid
      ? {
          kind: "products",
          productIds: products?.productsToAdd ?? [],
          variantIds: products?.productVariantsToAdd ?? [],
        }
      : null;
  }
  if (hasCollections) {
    const ids = collections?.add ?? [];
    const bad = ids.filter((id) => !gidPattern("Collection").test(id));
    for (const id of bad) {
      fail([...path, "collections", "add"], `Collection with id: ${numericOrRaw(id)} is invalid`, "INVALID");
    }
    return bad.length === 0 ? { kind: "collections", collectionIds: ids } : null;
  }
  if (items.all) return { kind: "all" };
  fail(path, "Items can't be blank", "BLANK");
  return null;
}

function numericOrRaw(gid: string): string {
  return /(\d+)$/.exec(gid)?.[1] ?? gid;
}

function validatePercentage(value: number, path: string[], fail: Fail): number | null {
  if (value < 0 || value > 1) {
    fail(path, "Value must be between 0.0 and 1.0", "VALUE_OUTSIDE_RANGE");
    return null;
  }
  return value;
}

function validateBasicGets(gets: Maybe<CustomerGetsInput>, fail: Fail): NewDiscount["customerGets"] {
  if (!gets?.value) {
    fail(["customerGets"], "Customer gets can't be blank", "BLANK");
    return null;
  }
  const value = gets.value;
  const chosen = [value.discountAmount, value.percentage, value.discountOnQuantity].filter((v) => v != null);
  if (chosen.length !== 1) {
    // Message not captured.
    fail(["customerGets", "value"], "Only one of percentage or discountAmount can be provided.", "INVALID");
    return null;
  }
  let parsed: GetsValue | null = null;
  if (value.discountOnQuantity) {
    fail(
      ["customerGets", "value", "discountOnQuantity"],
      "Discount on quantity is not allowed here",
      "INVALID",
    );
  } else if (value.percentage != null) {
    const percentage = validatePercentage(value.percentage, ["customerGets", "value", "percentage"], fail);
    if (percentage != null) parsed = { kind: "percentage", percentage };
  } else if (value.discountAmount) {
    const amount = value.discountAmount.amount;
    if (amount == null || !isDecimal(amount) || Number(amount) <= 0) {
      // Message not captured.
      fail(
        ["customerGets", "value", "discountAmount", "amount"],
        "Value must be greater than 0",
        "GREATER_THAN",
      );
    } else {
      parsed = {
        kind: "amount",
        amount: String(amount),
        appliesOnEachItem: value.discountAmount.appliesOnEachItem ?? false,
      };
    }
  }
  const items = validateItems(gets.items, ["customerGets", "items"], fail);
  return parsed && items ? { value: parsed, items } : null;
}

function validateBxgy(
  input: DiscountCodeInput,
  fail: Fail,
): Pick<NewDiscount, "customerGets" | "customerBuys"> {
  let customerBuys: NewDiscount["customerBuys"] = null;
  let customerGets: NewDiscount["customerGets"] = null;

  const buys = input.customerBuys;
  if (!buys?.items || buys.items.all) {
    fail(["customerBuys", "items"], "Items in 'customer buys' must be defined", "BLANK");
  } else {
    const items = validateItems(buys.items, ["customerBuys", "items"], fail);
    const quantity = buys.value?.quantity;
    const amount = buys.value?.amount;
    if (quantity != null && /^\d+$/.test(String(quantity)) && Number(quantity) > 0) {
      if (items) customerBuys = { value: { kind: "quantity", quantity: String(quantity) }, items };
    } else if (amount != null && isDecimal(amount) && Number(amount) > 0) {
      if (items) customerBuys = { value: { kind: "amount", amount: String(amount) }, items };
    } else {
      fail(["customerBuys", "value"], "Customer buys value can't be blank", "BLANK");
    }
  }

  const gets = input.customerGets;
  if (gets?.items?.all) {
    fail(["customerGets"], "Items in 'customer get' cannot be set to all", "INVALID");
  } else if (!gets?.value?.discountOnQuantity) {
    fail(["customerGets", "value"], "Customer gets value must be a discount on quantity", "INVALID");
  } else {
    const items = validateItems(gets.items, ["customerGets", "items"], fail);
    const onQuantity = gets.value.discountOnQuantity;
    const quantity = String(onQuantity.quantity ?? "");
    const effect = onQuantity.effect;
    let parsedEffect: Extract<GetsValue, { kind: "onQuantity" }>["effect"] | null = null;
    if (effect?.percentage != null) {
      const percentage = validatePercentage(
        effect.percentage,
        ["customerGets", "value", "discountOnQuantity", "effect", "percentage"],
        fail,
      );
      if (percentage != null) parsedEffect = { kind: "percentage", percentage };
    } else if (effect?.amount != null && isDecimal(effect.amount) && Number(effect.amount) > 0) {
      parsedEffect = { kind: "amount", amount: String(effect.amount) };
    } else {
      fail(["customerGets", "value", "discountOnQuantity", "effect"], "Effect can't be blank", "BLANK");
    }
    if (!/^\d+$/.test(quantity) || Number(quantity) < 1) {
      fail(
        ["customerGets", "value", "discountOnQuantity", "quantity"],
        "Quantity must be greater than 0",
        "GREATER_THAN",
      );
    } else if (items && parsedEffect) {
      customerGets = { value: { kind: "onQuantity", quantity, effect: parsedEffect }, items };
    }
  }
  return { customerGets, customerBuys };
}
