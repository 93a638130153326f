import type * as z from "zod/mini";
import { ShopifyRejected, ShopifyUnavailable } from "../../errors";
import type {
  CreatedDiscountCode,
  DiscountCodeSpec,
  DiscountCodeSummary,
  EntitledItems,
  Instant,
  ShopifyAdmin,
  ShopifyCustomer,
} from "../../shopify/ports";
import * as ops from "./operations";
import { AdminGraphql, type AdminGraphqlOptions, rejectUserErrors } from "./transport";

export interface ShopifyAdminClientOptions extends AdminGraphqlOptions {
  /** Read-modify-write rounds of `updateJsonMetafield` before giving up; 5 by default. */
  metafieldWriteAttempts?: number;
}

/** `ShopifyAdmin` over the Admin GraphQL API. Create once per container and share. */
export class ShopifyAdminClient implements ShopifyAdmin {
  private readonly graphql: AdminGraphql;
  private readonly metafieldWriteAttempts: number;

  constructor(options: ShopifyAdminClientOptions) {
    this.graphql = new AdminGraphql(options);
    this.metafieldWriteAttempts = options.metafieldWriteAttempts ?? 5;
  }

  // ---- discount codes ----

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
  ): Promise<{ node: ops.DiscountNode | null; userErrors: ops.UserErrors }> {
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
          ops.createBasicDiscount.query,
          { input },
          ops.createBasicDiscount.schema,
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
          ops.createFreeShippingDiscount.query,
          { input },
          ops.createFreeShippingDiscount.schema,
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
          ops.createBxgyDiscount.query,
          { input },
          ops.createBxgyDiscount.schema,
        );
        return {
          node: data.discountCodeBxgyCreate.codeDiscountNode,
          userErrors: data.discountCodeBxgyCreate.userErrors,
        };
      }
    }
  }

  /** The code exists: ours when its title carries the marker (an earlier attempt got through). */
  private async adopt(spec: DiscountCodeSpec, userErrors: ops.UserErrors): Promise<CreatedDiscountCode> {
    const existing = await this.findDiscountByCode(spec.code);
    if (!existing) {
      // Deleted between our create and this lookup; a retry will create it afresh.
      throw new ShopifyUnavailable(`Discount code ${spec.code} was taken, then gone; retry`);
    }
    if (!existing.title.includes(spec.marker)) throw rejectUserErrors("discount create", userErrors);
    return { discountId: existing.discountId, code: existing.code, status: existing.status, adopted: true };
  }

  async findDiscountByCode(code: string): Promise<DiscountCodeSummary | null> {
    const data = await this.graphql.request(
      "codeDiscountNodeByCode",
      ops.discountByCode.query,
      { code },
      ops.discountByCode.schema,
    );
    return data.codeDiscountNodeByCode ? toSummary(data.codeDiscountNodeByCode) : null;
  }

  async deactivateDiscount(discountId: string): Promise<DiscountCodeSummary> {
    const data = await this.graphql.request(
      "discountCodeDeactivate",
      ops.deactivateDiscount.query,
      { id: discountId },
      ops.deactivateDiscount.schema,
    );
    const { codeDiscountNode, userErrors } = data.discountCodeDeactivate;
    if (userErrors.length > 0 || !codeDiscountNode) throw rejectUserErrors("discount deactivate", userErrors);
    return toSummary(codeDiscountNode);
  }

  async reinstateDiscount(
    discount: DiscountCodeSummary,
    planned: { startsAt: string; endsAt: string },
  ): Promise<DiscountCodeSummary> {
    const live = discount.status === "EXPIRED" ? await this.activateDiscount(discount.discountId) : discount;
    // Shopify's activate leaves no end date (and a deactivated scheduled code started then).
    const startsLate = Date.parse(planned.startsAt) > Date.parse(live.startsAt) + 1000;
    const endsAsPlanned =
      live.endsAt !== null && Math.abs(Date.parse(live.endsAt) - Date.parse(planned.endsAt)) < 1000;
    if (endsAsPlanned && !startsLate) return live;
    const update = ops.updateDiscount[discount.type];
    const data = await this.graphql.request(
      update.mutation,
      update.query,
      {
        id: discount.discountId,
        input: { ...(startsLate ? { startsAt: planned.startsAt } : {}), endsAt: planned.endsAt },
      },
      update.schema,
    );
    const payload = data[update.mutation];
    if (!payload || payload.userErrors.length > 0 || !payload.codeDiscountNode) {
      throw rejectUserErrors("discount dates update", payload?.userErrors ?? []);
    }
    return toSummary(payload.codeDiscountNode);
  }

  private async activateDiscount(discountId: string): Promise<DiscountCodeSummary> {
    const data = await this.graphql.request(
      "discountCodeActivate",
      ops.activateDiscount.query,
      { id: discountId },
      ops.activateDiscount.schema,
    );
    const { codeDiscountNode, userErrors } = data.discountCodeActivate;
    if (userErrors.length > 0 || !codeDiscountNode) throw rejectUserErrors("discount activate", userErrors);
    return toSummary(codeDiscountNode);
  }

  async deleteDiscount(discountId: string): Promise<void> {
    const data = await this.graphql.request(
      "discountCodeDelete",
      ops.deleteDiscount.query,
      { id: discountId },
      ops.deleteDiscount.schema,
    );
    const { userErrors } = data.discountCodeDelete;
    // Shopify answers an unknown id with "Code discount does not exist.": already the goal state.
    const remaining = userErrors.filter((error) => !isMissingDiscount(error));
    if (remaining.length > 0) throw rejectUserErrors("discount delete", remaining);
  }

  async deleteDiscountByCode(code: string, marker: string): Promise<boolean> {
    const existing = await this.findDiscountByCode(code);
    if (!existing?.title.includes(marker)) return false;
    await this.deleteDiscount(existing.discountId);
    return true;
  }

  async deactivateDiscountByCode(code: string, marker: string): Promise<string | undefined> {
    const existing = await this.findDiscountByCode(code);
    if (!existing?.title.includes(marker)) return undefined;
    if (existing.status !== "EXPIRED") await this.deactivateDiscount(existing.discountId);
    return existing.discountId;
  }

  // ---- customers and their metafields ----

  async getCustomer(customerGid: string): Promise<ShopifyCustomer | null> {
    const data = await this.graphql.request(
      "customer",
      ops.customerById.query,
      { id: customerGid },
      ops.customerById.schema,
    );
    return data.customer;
  }

  async readJsonMetafield<T>(
    ownerGid: string,
    namespace: string,
    key: string,
    schema: z.ZodMiniType<T>,
  ): Promise<T | null> {
    return (await this.readMetafieldState(ownerGid, namespace, key, schema)).value;
  }

  async updateJsonMetafield<T>(
    ownerGid: string,
    namespace: string,
    key: string,
    update: (current: T | null) => T,
    schema: z.ZodMiniType<T>,
  ): Promise<T> {
    for (let attempt = 1; attempt <= this.metafieldWriteAttempts; attempt += 1) {
      const current = await this.readMetafieldState(ownerGid, namespace, key, schema);
      const next = schema.parse(update(current.value));
      const data = await this.graphql.request(
        "metafieldsSet",
        ops.setMetafields.query,
        {
          metafields: [
            {
              ownerId: ownerGid,
              namespace,
              key,
              type: "json",
              value: JSON.stringify(next),
              // null: write only if nobody created it meanwhile.
              compareDigest: current.digest,
            },
          ],
        },
        ops.setMetafields.schema,
      );
      const { userErrors } = data.metafieldsSet;
      if (userErrors.length === 0) return next;
      // Changed (or deleted) since our read: read again and re-apply the update.
      const conflict = userErrors.every(
        (e) => e.code === "STALE_OBJECT" || e.code === "INVALID_COMPARE_DIGEST",
      );
      if (!conflict) throw rejectUserErrors("metafield write", userErrors);
      await sleep(Math.random() * 20 * attempt);
    }
    throw new ShopifyUnavailable(
      `Metafield ${namespace}.${key} of ${ownerGid} kept changing; gave up after ${this.metafieldWriteAttempts} attempts`,
    );
  }

  private async readMetafieldState<T>(
    ownerGid: string,
    namespace: string,
    key: string,
    schema: z.ZodMiniType<T>,
  ): Promise<{ value: T | null; digest: string | null }> {
    const data = await this.graphql.request(
      "customer",
      ops.customerMetafield.query,
      { id: ownerGid, namespace, key },
      ops.customerMetafield.schema,
    );
    const metafield = data.customer?.metafield;
    if (!metafield) return { value: null, digest: null };
    const parsed = schema.safeParse(safeJson(metafield.value));
    if (!parsed.success) {
      // Never overwrite what we cannot read: that would destroy the record.
      throw new Error(
        `Metafield ${namespace}.${key} of ${ownerGid} does not match its schema: ${parsed.error.message}`,
        {
          cause: parsed.error,
        },
      );
    }
    return { value: parsed.data, digest: metafield.compareDigest };
  }
}

const managedDiscountTypes = new Set<string>(Object.keys(ops.updateDiscount));

function toSummary(node: ops.DiscountNode): DiscountCodeSummary {
  const discount = node.codeDiscount;
  const code = discount.codes?.nodes[0]?.code;
  if (
    !managedDiscountTypes.has(discount.__typename) ||
    discount.title === undefined ||
    discount.status === undefined ||
    discount.startsAt === undefined ||
    !code
  ) {
    throw new ShopifyRejected(
      `Discount ${node.id} is a ${discount.__typename}, not a code discount this service manages`,
      [{ message: `Unsupported discount type ${discount.__typename}`, code: "UNSUPPORTED_DISCOUNT_TYPE" }],
    );
  }
  return {
    discountId: node.id,
    type: discount.__typename as DiscountCodeSummary["type"],
    code,
    title: discount.title,
    status: discount.status,
    startsAt: discount.startsAt,
    endsAt: discount.endsAt ?? null,
    asyncUsageCount: discount.asyncUsageCount ?? 0,
    usageLimit: discount.usageLimit ?? null,
    customerGids: discount.context?.customers?.map((customer) => customer.id) ?? [],
    appliesToAllCustomers: discount.context?.__typename === "DiscountBuyerSelectionAll",
  };
}

function itemsInput(items: EntitledItems | undefined) {
  if (!items) return { all: true };
  if ("collectionIds" in items) return { collections: { add: items.collectionIds } };
  return {
    products: { productsToAdd: items.productIds ?? [], productVariantsToAdd: items.variantIds ?? [] },
  };
}

function isMissingDiscount(error: { code?: string | null; message: string }): boolean {
  return error.message === "Code discount does not exist.";
}

function iso(instant: Instant): string {
  return typeof instant === "string" ? instant : instant.toISOString();
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
