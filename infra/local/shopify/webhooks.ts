import { createHmac, randomUUID } from "node:crypto";
import { formatRestAmount } from "./format";
import type { PlacedOrder } from "./store";

/**
 * Order webhooks as Shopify delivers them (research §7): REST order JSON, signed with
 * base64(HMAC-SHA256(app secret, raw body)).
 */

export type OrderTopic = "orders/create" | "orders/paid";

export function signWebhookBody(rawBody: string | Uint8Array, appSecret: string): string {
  return createHmac("sha256", appSecret).update(rawBody).digest("base64");
}

export interface WebhookDelivery {
  topic: OrderTopic;
  webhookId: string;
  status: number | null;
  error?: string;
}

export interface WebhookSender {
  appSecret: string;
  shopDomain: string;
  apiVersion: string;
}

export function restOrderJson(order: PlacedOrder, orderNumber: number, currency: string, topic: OrderTopic) {
  const createdAt = order.createdAt.toISOString();
  const discount = order.discount;
  const value = discount.customerGets?.value;
  const type =
    discount.kind === "freeShipping"
      ? "shipping"
      : value?.kind === "percentage"
        ? "percentage"
        : "fixed_amount";
  const total = Math.max(0, order.subtotal - order.discountAmount);
  const numericCustomerId = order.customer ? Number(order.customer.id.split("/").pop()) : null;
  return {
    id: order.id,
    admin_graphql_api_id: `gid://shopify/Order/${order.id}`,
    name: `#${orderNumber}`,
    order_number: orderNumber,
    email: order.customer?.email ?? null,
    created_at: createdAt,
    updated_at: createdAt,
    processed_at: createdAt,
    currency,
    financial_status: topic === "orders/paid" ? "paid" : "pending",
    subtotal_price: formatRestAmount(total),
    total_discounts: formatRestAmount(order.discountAmount),
    total_line_items_price: formatRestAmount(order.subtotal),
    total_price: formatRestAmount(total),
    customer: order.customer
      ? {
          id: numericCustomerId,
          admin_graphql_api_id: order.customer.id,
          email: order.customer.email,
          first_name: order.customer.firstName,
          last_name: order.customer.lastName,
        }
      : null,
    discount_codes: [{ code: discount.code, type, amount: formatRestAmount(order.discountAmount) }],
    discount_applications: [
      {
        type: "discount_code",
        code: discount.code,
        title: discount.code,
        value:
          value?.kind === "percentage"
            ? String(value.percentage * 100)
            : formatRestAmount(order.discountAmount),
        value_type: type === "percentage" ? "percentage" : "fixed_amount",
        allocation_method: "across",
        target_selection: "all",
        target_type: type === "shipping" ? "shipping_line" : "line_item",
      },
    ],
    line_items: [],
  };
}

export async function deliverWebhook(
  url: string,
  topic: OrderTopic,
  payload: unknown,
  sender: WebhookSender,
  triggeredAt: Date,
): Promise<WebhookDelivery> {
  const body = JSON.stringify(payload);
  const webhookId = randomUUID();
  try {
    const response = await fetch(url, {
      method: "POST",
      headers: {
        "Content-Type": "application/json",
        "X-Shopify-Topic": topic,
        "X-Shopify-Hmac-Sha256": signWebhookBody(body, sender.appSecret),
        "X-Shopify-Shop-Domain": sender.shopDomain,
        "X-Shopify-API-Version": sender.apiVersion,
        "X-Shopify-Webhook-Id": webhookId,
        "X-Shopify-Triggered-At": triggeredAt.toISOString(),
        "X-Shopify-Event-Id": randomUUID(),
      },
      body,
      // Shopify gives a receiver 5 s (research §7).
      signal: AbortSignal.timeout(5_000),
    });
    await response.body?.cancel();
    return { topic, webhookId, status: response.status };
  } catch (error) {
    return { topic, webhookId, status: null, error: error instanceof Error ? error.message : String(error) };
  }
}
