import { z } from "zod";

/**
 * The part of Shopify's REST order JSON (the payload of `orders/create` and `orders/paid`) that
 * usage sync reads. Everything else in the order is ignored, so new fields never break parsing.
 */

export const usageTopics = ["orders/create", "orders/paid"] as const;
export type UsageTopic = (typeof usageTopics)[number];

export const isUsageTopic = (topic: string | undefined): topic is UsageTopic =>
  usageTopics.some((known) => known === topic);

const codeEntry = z.object({ code: z.string().min(1) }).loose();
const application = z.object({ type: z.string(), code: z.string().min(1).optional() }).loose();

/**
 * REST order ids are JSON numbers and can pass 2^53 (Shopify's own example payload has 18 digits),
 * so the number may arrive rounded; the GraphQL id carries the same id exactly and is preferred.
 */
const exactOrderId = (order: OrderWebhook): string =>
  /^gid:\/\/shopify\/Order\/(\d+)$/.exec(order.admin_graphql_api_id ?? "")?.[1] ?? String(order.id);

export const orderWebhookSchema = z
  .object({
    id: z.union([z.number().nonnegative(), z.string().min(1)]),
    admin_graphql_api_id: z.string().optional(),
    name: z.string().optional(),
    created_at: z.iso.datetime({ offset: true }).optional(),
    discount_codes: z.array(codeEntry).nullish(),
    discount_applications: z.array(application).nullish(),
  })
  .loose();
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
