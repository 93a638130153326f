import * as z from "zod/mini";
import type { ApiOperation } from "../api/contract";

/** Documentation of the webhook receiver. */
export const webhookOperations: readonly ApiOperation[] = [
  {
    method: "POST",
    path: "/v1/webhooks/shopify",
    summary: "Shopify order webhooks (orders/create, orders/paid): redeemed coupons become used",
    description:
      "Authenticated by X-Shopify-Hmac-Sha256 over the raw body. De-duplicated on X-Shopify-Webhook-Id; other topics are acknowledged and ignored.",
    tag: "webhooks",
    security: "webhook",
    headers: {
      "X-Shopify-Topic": { description: "orders/create or orders/paid; others are ignored", required: true },
      "X-Shopify-Webhook-Id": { description: "De-duplication key", required: true },
      "X-Shopify-Triggered-At": { description: "Must be within the last 6 hours", required: true },
    },
    body: z.record(z.string(), z.unknown()).check(z.describe("Shopify's REST order JSON")),
    responses: {
      200: {
        description: "Processed, a duplicate, or ignored",
        schema: z.object({
          status: z.enum(["processed", "duplicate", "ignored"]),
          webhookId: z.optional(z.string()),
          reason: z.optional(z.string()),
          coupons: z.optional(z.array(z.object({ code: z.string(), outcome: z.string() }))),
        }),
      },
    },
    problems: {
      400: ["invalid_json", "invalid_order", "webhook_id_required", "invalid_webhook_id"],
      401: ["invalid_signature", "stale_webhook"],
      503: ["shopify_unavailable"],
    },
  },
];
