import { demoCredentials, demoShop } from "../../infra/local/demo-data";
import type { RunningShopifyEmulator } from "../../infra/local/shopify";
import { ShopifyAdminClient, type ShopifyAdminClientOptions } from "../../shared/adapters/shopify";
import { ShopifyAdminAccessToken } from "../../shared/adapters/shopify/access-token";

export const API_VERSION = "2026-10";
export const TARO = "gid://shopify/Customer/8840734670934";
export const HANAKO = "gid://shopify/Customer/8840734670935";

/** Reads a nested value of a JSON body: `at(body, "data", "customer", "id")`. */
export function at(value: unknown, ...keys: (string | number)[]): unknown {
  let current = value;
  for (const key of keys) {
    if (current === null || typeof current !== "object") return undefined;
    current = (current as Record<string | number, unknown>)[key];
  }
  return current;
}

/** Like `at`, for values that must be strings (ids, digests). */
export function text(value: unknown, ...keys: (string | number)[]): string {
  const found = at(value, ...keys);
  if (typeof found !== "string")
    throw new Error(`expected a string at ${keys.join(".")}, got ${JSON.stringify(found)}`);
  return found;
}

/** Posts a GraphQL request the way any HTTP client would. */
export async function graphql(
  emulator: { url: string },
  query: string,
  variables: Record<string, unknown> = {},
  token: string | null = demoCredentials.shopifyAdminToken,
): Promise<{ status: number; body: unknown }> {
  const response = await fetch(`${emulator.url}/admin/api/${API_VERSION}/graphql.json`, {
    method: "POST",
    headers: { "Content-Type": "application/json", ...(token ? { "X-Shopify-Access-Token": token } : {}) },
    body: JSON.stringify({ query, variables }),
  });
  return { status: response.status, body: await response.json() };
}

export async function control(emulator: { url: string }, method: string, path: string, body?: unknown) {
  const response = await fetch(`${emulator.url}/_control${path}`, {
    method,
    headers: { "Content-Type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as unknown };
}

export function clientFor(
  emulator: RunningShopifyEmulator,
  options: Partial<ShopifyAdminClientOptions> = {},
) {
  return new ShopifyAdminClient({
    shopDomain: demoShop.domain,
    apiVersion: API_VERSION,
    accessToken: new ShopifyAdminAccessToken({
      shopDomain: demoShop.domain,
      secret: async () => demoCredentials.shopifyAdminToken,
    }),
    adminUrl: emulator.url,
    ...options,
  });
}

export const createBasic = /* GraphQL */ `
  mutation Create($input: DiscountCodeBasicInput!) {
    discountCodeBasicCreate(basicCodeDiscount: $input) {
      codeDiscountNode { id codeDiscount { __typename ... on DiscountCodeBasic { title status } } }
      userErrors { field message code extraInfo }
    }
  }
`;

/** A fixed-amount code for one customer, as the conversion saga creates it. */
export function couponInput(code: string, overrides: Record<string, unknown> = {}) {
  return {
    title: `Loyalty reward 500pts #${code}`,
    code,
    startsAt: "2026-11-22T00:00:00Z",
    endsAt: "2099-11-22T00:00:00Z",
    context: { customers: { add: [TARO] } },
    customerGets: {
      value: { discountAmount: { amount: "500", appliesOnEachItem: false } },
      items: { all: true },
    },
    usageLimit: 1,
    appliesOncePerCustomer: true,
    combinesWith: { productDiscounts: false, orderDiscounts: false, shippingDiscounts: false },
    ...overrides,
  };
}
