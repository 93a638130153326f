import { ShopifyRejected } from "../../errors";
import type { DiscountCodeChanges, DiscountCodeSummary } from "../../shopify/ports";
import * as ops from "./discount-operations";
import { type AdminGraphql, rejectUserErrors } from "./transport";

/**
 * Looking up and changing existing code discounts over the Admin GraphQL API: found by code,
 * deactivated, made live again, deleted. Creating them is `ShopifyDiscountIssuer`
 * (discount-issuer.ts), so that the functions that never create a code carry none of its
 * documents. Create once per container over the container's one `AdminGraphql`.
 */
export class ShopifyDiscountCodes implements DiscountCodeChanges {
  constructor(protected readonly graphql: AdminGraphql) {}

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
}

const managedDiscountTypes = new Set<string>(Object.keys(ops.updateDiscount));

export function toSummary(node: ops.DiscountNode): DiscountCodeSummary {
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

function isMissingDiscount(error: { code?: string | null; message: string }): boolean {
  return error.message === "Code discount does not exist.";
}
