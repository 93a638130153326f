import type { FunctionSpec, RouteSpec, StateMachineSpec } from "./types";

/** Shopify webhooks: coupons used at checkout. */
export const functions = {
  shopifyWebhooks: {
    entry: "functions/webhooks/shopify.ts",
    description: "Verifies Shopify order webhooks and marks redeemed coupons used",
    // No table reads beyond GetItem (in loyaltyTableWrite): it looks coupons up by code only. A
    // delivery whose processing failed gives back its claim, so that Shopify's retry runs again.
    capabilities: [
      "shopifyAppSecret",
      "shopify",
      "loyaltyTableWrite",
      "releaseWebhookClaim",
      "auditAppend",
      "sendEmail",
    ],
    // Shopify waits 5 s for an answer; a slower run is cut off and its delivery retried.
    timeoutSeconds: 10,
  },
} as const satisfies Record<string, FunctionSpec>;

export const routes: readonly RouteSpec<keyof typeof functions>[] = [
  {
    method: "POST",
    path: "/v1/webhooks/shopify",
    function: "shopifyWebhooks",
    auth: "webhook",
    // Checkout peaks (two topics per order) and Shopify's retries after an outage.
    throttle: { rate: 50, burst: 200 },
  },
];

export const stateMachines = {} as const satisfies Record<string, StateMachineSpec<keyof typeof functions>>;
