import type { DeliveryClaim, WebhookDeliveries } from "../../usage/ports";
import { isConditionalCheckFailed } from "./client";
import { DynamoStore, epochSeconds, type RepositoryOptions } from "./common";
import * as keys from "./keys";

/**
 * Webhook deliveries in the loyalty table (`pk = WEBHOOK#<X-Shopify-Webhook-Id>`), expired by the
 * table's TTL well after Shopify's 4-hour retry window.
 */

const retentionSeconds = 3 * 24 * 3600;
/** A claim older than this belongs to an invocation that died (the function times out far sooner). */
const abandonedAfterMs = 2 * 60_000;

/** Delivery claims are the only items the webhook code deletes; IAM scopes that delete to this prefix. */

export class DynamoWebhookDeliveries extends DynamoStore implements WebhookDeliveries {
  constructor(options: RepositoryOptions) {
    super(options);
  }

  async claim(webhookId: string, topic: string, now: Date): Promise<DeliveryClaim> {
    try {
      await this.client.put({
        TableName: this.table,
        Item: {
          ...keys.webhook(webhookId),
          webhookId,
          topic,
          state: "processing",
          claimedAt: now.toISOString(),
          ttl: epochSeconds(now.getTime()) + retentionSeconds,
        },
        ConditionExpression: "attribute_not_exists(pk) OR (#state = :processing AND claimedAt < :abandoned)",
        ExpressionAttributeNames: { "#state": "state" },
        ExpressionAttributeValues: {
          ":processing": "processing",
          ":abandoned": new Date(now.getTime() - abandonedAfterMs).toISOString(),
        },
      });
      return "claimed";
    } catch (error) {
      if (isConditionalCheckFailed(error)) return "duplicate";
      throw error;
    }
  }

  async complete(webhookId: string, outcome: string): Promise<void> {
    await this.client.update({
      TableName: this.table,
      Key: keys.webhook(webhookId),
      UpdateExpression: "SET #state = :processed, outcome = :outcome, processedAt = :now",
      ExpressionAttributeNames: { "#state": "state" },
      ExpressionAttributeValues: {
        ":processed": "processed",
        ":outcome": outcome,
        ":now": this.now().toISOString(),
      },
    });
  }

  async release(webhookId: string): Promise<void> {
    try {
      await this.client.delete({
        TableName: this.table,
        Key: keys.webhook(webhookId),
        ConditionExpression: "#state = :processing",
        ExpressionAttributeNames: { "#state": "state" },
        ExpressionAttributeValues: { ":processing": "processing" },
      });
    } catch (error) {
      if (!isConditionalCheckFailed(error)) throw error;
    }
  }
}
