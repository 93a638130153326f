import { DynamoWebhookDeliveries } from "../../shared/adapters/dynamodb/webhook-deliveries";
import { MetafieldUsageRecords } from "../../shared/adapters/shopify/usage-records";
import type { WebhookDependencies } from "../../shared/usage/webhook";
import { once } from "../once";
import { adminAlerts, appSecret, auditTrail, couponStore, dynamo, env, shopifyAdmin } from "../runtime";

/** The order webhooks' composition root. */

const deliveries = once(
  () => new DynamoWebhookDeliveries({ client: dynamo(), tableName: env.LOYALTY_TABLE }),
);
const records = once(() => new MetafieldUsageRecords(shopifyAdmin()));

export async function webhookDependencies(): Promise<WebhookDependencies> {
  return {
    deliveries: deliveries(),
    records: records(),
    coupons: couponStore(),
    audit: auditTrail(),
    alerts: adminAlerts(),
    // Resolved per delivery: the secret provider caches it and picks up a rotation.
    appSecret: await appSecret()(),
    shopDomain: env.SHOP_DOMAIN,
    now: () => new Date(),
  };
}
