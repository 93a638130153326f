import { DynamoWebhookDeliveries } from "../../shared/adapters/dynamodb/webhook-deliveries";
import type { WebhookDependencies } from "../../shared/usage/webhook";
import { once } from "../once";
import { adminAlerts, appSecret, auditTrail, couponRecords, couponStore, dynamo, env } from "../runtime";

/** The order webhooks' composition root. */

const deliveries = /* @__PURE__ */ once(
  () => new DynamoWebhookDeliveries({ client: dynamo(), tableName: env.LOYALTY_TABLE }),
);

export async function webhookDependencies(): Promise<WebhookDependencies> {
  return {
    deliveries: deliveries(),
    records: couponRecords(),
    coupons: couponStore(),
    audit: auditTrail(),
    alerts: adminAlerts(),
    // Resolved per delivery: the secret provider caches it and picks up a rotation.
    appSecret: await appSecret()(),
    shopDomain: env.SHOP_DOMAIN,
    now: () => new Date(),
  };
}
