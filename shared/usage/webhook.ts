import { InvalidRequest, LoyaltyError } from "../errors";
import { countEvent, logger } from "../observability";
import { WEBHOOK_SIGNATURE_FAILURES_METRIC } from "../operations/log-metrics";
import { isUsageTopic, orderWebhookSchema, usageOf } from "./order";
import type { UsageDependencies, WebhookDeliveries } from "./ports";
import { type CodeUsage, recordOrderUsage } from "./record-usage";
import { isAuthenticWebhook } from "./signature";

/**
 * One Shopify webhook delivery, from the raw request to the answer. Order of checks: signature
 * (nothing is read before it), age, topic, body, de-duplication, then the coupons.
 */

const maxWebhookIdLength = 255;

export interface WebhookRequest {
  rawBody: Buffer;
  /** Lower-case header names. */
  headers: Readonly<Record<string, string | undefined>>;
}

export interface WebhookDependencies extends UsageDependencies {
  deliveries: WebhookDeliveries;
  appSecret: string;
  shopDomain: string;
  now: () => Date;
}

export type WebhookResult =
  | { status: "processed"; webhookId: string; coupons: CodeUsage[] }
  | { status: "duplicate"; webhookId: string }
  | { status: "ignored"; reason: string };

/**
 * Shopify retries a failed delivery for 4 hours with the original payload; older deliveries are
 * not Shopify's and are refused. `X-Shopify-Triggered-At` is not covered by the signature, so this
 * is hygiene, not the defence against replays: that is de-duplication plus effects that are
 * idempotent (a replayed signed order can only mark used what that order really used).
 */
export const maxWebhookAgeMs = 6 * 3600_000;
const maxClockSkewMs = 5 * 60_000;

/** A delivery that is not provably Shopify's, or not recent: 401, nothing read or changed. */
export class WebhookRejected extends LoyaltyError {
  override readonly name: string = "WebhookRejected";
  readonly status = 401;
  readonly code: string;
  readonly title = "Webhook rejected";
  constructor(code: "invalid_signature" | "stale_webhook", detail: string) {
    super(detail);
    this.code = code;
  }
}

export async function handleShopifyWebhook(
  deps: WebhookDependencies,
  request: WebhookRequest,
): Promise<WebhookResult> {
  const header = (name: string) => request.headers[name];
  if (!isAuthenticWebhook(request.rawBody, header("x-shopify-hmac-sha256"), deps.appSecret)) {
    // Counted for the signature alarm: a rotated or unset secret refuses every real delivery.
    countEvent(WEBHOOK_SIGNATURE_FAILURES_METRIC);
    throw new WebhookRejected("invalid_signature", "The webhook signature is missing or does not match");
  }

  const now = deps.now();
  const triggeredAt = Date.parse(header("x-shopify-triggered-at") ?? "");
  if (
    Number.isNaN(triggeredAt) ||
    triggeredAt < now.getTime() - maxWebhookAgeMs ||
    triggeredAt > now.getTime() + maxClockSkewMs
  ) {
    throw new WebhookRejected(
      "stale_webhook",
      "X-Shopify-Triggered-At is missing or outside the accepted window",
    );
  }

  const topic = header("x-shopify-topic");
  if (!isUsageTopic(topic)) return { status: "ignored", reason: `topic ${topic ?? "(none)"} is not handled` };
  const shop = header("x-shopify-shop-domain");
  if (shop !== undefined && shop.toLowerCase() !== deps.shopDomain.toLowerCase()) {
    return { status: "ignored", reason: `shop ${shop} is not this service's shop` };
  }
  const webhookId = header("x-shopify-webhook-id");
  if (!webhookId) throw new InvalidRequest("webhook_id_required", "X-Shopify-Webhook-Id is missing");
  // Shopify's ids are UUIDs; the bound keeps the de-duplication key within DynamoDB's key size.
  if (webhookId.length > maxWebhookIdLength) {
    throw new InvalidRequest(
      "invalid_webhook_id",
      `X-Shopify-Webhook-Id has more than ${maxWebhookIdLength} characters`,
    );
  }

  let json: unknown;
  try {
    json = JSON.parse(request.rawBody.toString("utf8"));
  } catch {
    throw new InvalidRequest("invalid_json", "The webhook body is not valid JSON");
  }
  const order = orderWebhookSchema.safeParse(json);
  if (!order.success) throw new InvalidRequest("invalid_order", "The webhook body is not an order");
  const usage = usageOf(order.data, now);

  if ((await deps.deliveries.claim(webhookId, topic, now)) === "duplicate") {
    return { status: "duplicate", webhookId };
  }
  try {
    const coupons = await recordOrderUsage(deps, usage, { topic, webhookId });
    const ours = coupons.filter((coupon) => coupon.outcome !== "not_ours");
    await deps.deliveries.complete(
      webhookId,
      ours.length === 0 ? "no coupon of ours" : ours.map((c) => `${c.code}:${c.outcome}`).join(","),
    );
    return { status: "processed", webhookId, coupons: ours };
  } catch (error) {
    // Let Shopify's retry of this delivery run again instead of being taken for a duplicate.
    await deps.deliveries
      .release(webhookId)
      .catch((releaseError: unknown) =>
        logger.error("webhook claim not released", { webhookId, error: releaseError }),
      );
    throw error;
  }
}
