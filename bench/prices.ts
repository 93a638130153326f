/**
 * On-demand prices of the AWS services the cost model counts, US East (N. Virginia), us-east-1,
 * in US dollars, without free tiers.
 *
 * There is no network access where the bench is written and run: these figures were taken from
 * AWS's public pricing pages as of the author's knowledge (2024-2025), not fetched. Check them
 * against the pages below before quoting a figure; Asia Pacific (Tokyo), where a Japanese shop
 * would deploy, prices some of them differently.
 */

export interface Price {
  /** US dollars per `per` units of `unit`. */
  usd: number;
  per: number;
  unit: string;
  source: string;
}

export const PRICE_REGION = "us-east-1";

export const prices = {
  lambdaArmGbSecond: {
    usd: 0.0000133334,
    per: 1,
    unit: "GB-second of Lambda duration, arm64 (first 7.5 billion GB-s a month)",
    source: "https://aws.amazon.com/lambda/pricing/",
  },
  lambdaRequests: {
    usd: 0.2,
    per: 1_000_000,
    unit: "Lambda requests",
    source: "https://aws.amazon.com/lambda/pricing/",
  },
  stepFunctionsStandardTransitions: {
    usd: 0.025,
    per: 1_000,
    unit: "state transitions, Standard workflows",
    source: "https://aws.amazon.com/step-functions/pricing/",
  },
  dynamoDbReadRequestUnits: {
    usd: 0.125,
    per: 1_000_000,
    unit: "read request units, on-demand",
    source: "https://aws.amazon.com/dynamodb/pricing/on-demand/",
  },
  dynamoDbWriteRequestUnits: {
    usd: 0.625,
    per: 1_000_000,
    unit: "write request units, on-demand",
    source: "https://aws.amazon.com/dynamodb/pricing/on-demand/",
  },
  sesEmails: {
    usd: 0.1,
    per: 1_000,
    unit: "emails sent (outbound)",
    source: "https://aws.amazon.com/ses/pricing/",
  },
  httpApiRequests: {
    usd: 1.0,
    per: 1_000_000,
    unit: "HTTP API requests (first 300 million a month, up to 512 KB each)",
    source: "https://aws.amazon.com/api-gateway/pricing/",
  },
} as const satisfies Record<string, Price>;

export type PriceName = keyof typeof prices;

/** Dollars for `quantity` units at `price`. */
export function costOf(price: Price, quantity: number): number {
  return (price.usd / price.per) * quantity;
}
