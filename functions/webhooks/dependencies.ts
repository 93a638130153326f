import { MetafieldUsageRecords } from "../../shared/usage/coupon-record";
import { DynamoWebhookDeliveries } from "../../shared/usage/dynamodb";
import type { WebhookDependencies } from "../../shared/usage/webhook";
import { adminAlerts, appSecret, auditTrail, couponStore, dynamo, env, shopifyAdmin } from "../runtime";

/** The webhook function's adapters, built on the shared composition root. */

let deliveries: DynamoWebhookDeliveries | undefined;
let records: MetafieldUsageRecords | undefined;

export async function webhookDependencies(): Promise<WebhookDependencies> {
  deliveries ??= new DynamoWebhookDeliveries({ client: dynamo(), tableName: env.LOYALTY_TABLE });
  records ??= new MetafieldUsageRecords(shopifyAdmin());
  return {
    deliveries,
    records,
    coupons: couponStore(),
    audit: auditTrail(),
    alerts: adminAlerts(),
    // Resolved per delivery: the secret provider caches it and picks up a rotation.
    appSecret: await appSecret()(),
    shopDomain: env.SHOP_DOMAIN,
    now: () => new Date(),
  };
}
