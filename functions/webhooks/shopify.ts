import { httpApi, json } from "../../shared/http/api";
import { handleShopifyWebhook } from "../../shared/usage/webhook";
import { webhookDependencies } from "./root";

/**
 * POST /v1/webhooks/shopify: order webhooks mark redeemed coupons used. The route is public; the
 * HMAC over the raw body is the authentication. 2xx tells Shopify to stop retrying, so only a
 * failure worth retrying (DynamoDB or Shopify unavailable) answers 5xx.
 */
export const handler = httpApi(async function shopifyWebhook(event) {
  const body = event.body ?? "";
  const rawBody = Buffer.from(body, event.isBase64Encoded ? "base64" : "utf8");
  const result = await handleShopifyWebhook(await webhookDependencies(), {
    rawBody,
    headers: event.headers ?? {},
  });
  return json(200, result);
});
