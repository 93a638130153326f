import * as z from "zod/mini";
import { isoDateTime } from "../schema-formats";

/**
 * The part of Shopify's REST order JSON (the payload of `orders/create` and `orders/paid`) that
 * usage sync reads. Everything else in the order is ignored, so new fields never break parsing.
 */

export const usageTopics = ["orders/create", "orders/paid"] as const;
export type UsageTopic = (typeof usageTopics)[number];

export const isUsageTopic = (topic: string | undefined): topic is UsageTopic =>
  usageTopics.some((known) => known === topic);

const codeEntry = z.looseObject({ code: z.string().check(z.minLength(1)) });
const application = z.looseObject({ type: z.string(), code: z.optional(z.string().check(z.minLength(1))) });

/**
 * REST order ids are JSON numbers and can pass 2^53 (Shopify's own example payload has 18 digits),
 * so the number may arrive rounded; the GraphQL id carries the same id exactly and is preferred.
 */
const exactOrderId = (order: OrderWebhook): string =>
  /^gid:\/\/shopify\/Order\/(\d+)$/.exec(order.admin_graphql_api_id ?? "")?.[1] ?? String(order.id);

export const orderWebhookSchema = z.looseObject({
  id: z.union([z.number().check(z.nonnegative()), z.string().check(z.minLength(1))]),
  admin_graphql_api_id: z.optional(z.string()),
  name: z.optional(z.string()),
  created_at: z.optional(isoDateTime({ offset: true })),
  discount_codes: z.nullish(z.array(codeEntry)),
  discount_applications: z.nullish(z.array(application)),
});
export type OrderWebhook = z.infer<typeof orderWebhookSchema>;

export interface OrderUsage {
  orderId: string;
  orderName?: string;
  /** When the order was placed: the moment the code was redeemed. */
  usedAt: string;
  /** Distinct codes, upper-case (our coupons are stored that way). */
  codes: string[];
}

/** The codes an order redeemed, from both places Shopify lists them. */
export function usageOf(order: OrderWebhook, receivedAt: Date): OrderUsage {
  const codes = [
    ...(order.discount_codes ?? []).map((entry) => entry.code),
    ...(order.discount_applications ?? [])
      .filter((entry) => entry.type === "discount_code")
      .flatMap((entry) => (entry.code ? [entry.code] : [])),
  ].map((code) => code.trim().toUpperCase());
  return {
    orderId: exactOrderId(order),
    ...(order.name ? { orderName: order.name } : {}),
    usedAt: order.created_at ? new Date(order.created_at).toISOString() : receivedAt.toISOString(),
    codes: [...new Set(codes)].filter((code) => code !== ""),
  };
}
