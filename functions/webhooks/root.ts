import { DynamoWebhookDeliveries } from "../../shared/adapters/dynamodb/webhook-deliveries";
import { MetafieldCouponUsage } from "../../shared/adapters/shopify/coupon-records";
import type { WebhookDependencies } from "../../shared/usage/webhook";
import { once } from "../once";
import { adminAlerts, appSecret, auditTrail, couponStore, dynamo, env, shopifyMetafields } from "../runtime";

/** The order webhooks' composition root. */

/** The coupon record's `used`, the one write of it the webhooks make. */
const usageRecords = /* @__PURE__ */ once(() => new MetafieldCouponUsage(shopifyMetafields()));

const deliveries = /* @__PURE__ */ once(
  () => new DynamoWebhookDeliveries({ client: dynamo(), tableName: env.LOYALTY_TABLE }),
);

export async function webhookDependencies(): Promise<WebhookDependencies> {
  return {
    deliveries: deliveries(),
    records: usageRecords(),
    coupons: couponStore(),
    audit: auditTrail(),
    alerts: adminAlerts(),
    // Resolved per delivery: the secret provider caches it and picks up a rotation.
    appSecret: await appSecret()(),
    shopDomain: env.SHOP_DOMAIN,
    now: () => new Date(),
  };
}
