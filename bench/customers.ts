import { demoCredentials, demoShop } from "../infra/local/demo-data";
import type { LocalStack } from "../infra/local/stack";
import { DAY_MS, toJapanDate } from "../shared/adapters/smaregi/time";
import { customerSessionTokens } from "../shared/auth/mint";

/**
 * Customers made for a run of the soak or the fault matrix: a Shopify customer created over the
 * Admin GraphQL API (the id it assigns is the member number) and a store member with that number
 * and a point balance, so that every run has customers no earlier run has touched.
 */

export interface BenchCustomer {
  customerId: string;
  customerGid: string;
  posCustomerId: string;
  email: string;
  startingBalance: number;
  /** A session token as the storefront would hold it: renewed before the service refuses it. */
  token: () => Promise<string>;
}

export type CustomerStack = Pick<LocalStack, "urls" | "smaregi" | "environment">;

/** Creates the customer in Shopify over its Admin GraphQL API: the id it assigns is the member number. */
async function createShopifyCustomer(
  stack: CustomerStack,
  input: { email: string; firstName: string },
): Promise<string> {
  const version = stack.environment.SHOPIFY_API_VERSION ?? "2026-10";
  const response = await fetch(`${stack.urls.shopify}/admin/api/${version}/graphql.json`, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      "x-shopify-access-token": demoCredentials.shopifyAdminToken,
    },
    body: JSON.stringify({
      query:
        "mutation Create($input: CustomerInput!) { customerCreate(input: $input) { customer { id } userErrors { field message } } }",
      variables: { input: { ...input, lastName: "Tester", locale: "ja" } },
    }),
  });
  const body = (await response.json()) as {
    data?: {
      customerCreate?: { customer: { id: string } | null; userErrors: Array<{ message: string }> };
    };
  };
  const created = body.data?.customerCreate;
  const gid = created?.customer?.id;
  if (!gid) {
    throw new Error(
      `customerCreate failed (${response.status}): ${created?.userErrors.map((e) => e.message).join("; ") ?? JSON.stringify(body)}`,
    );
  }
  return gid;
}

/** A customer in both systems with `points` that expire in a year. */
export async function createBenchCustomer(
  stack: CustomerStack,
  options: { email: string; firstName: string; points: number },
): Promise<BenchCustomer> {
  const customerGid = await createShopifyCustomer(stack, {
    email: options.email,
    firstName: options.firstName,
  });
  const customerId = customerGid.slice(customerGid.lastIndexOf("/") + 1);
  const created = stack.smaregi.store.createCustomer({
    customerCode: customerId,
    customerNo: customerId,
    lastName: "Tester",
    firstName: options.firstName,
    rank: "Regular",
  });
  if (created === "duplicate-code") throw new Error(`POS member ${customerId} already exists`);
  const account = stack.smaregi.store.setPoints(created.customerId, {
    point: options.points,
    pointExpireDate: toJapanDate(new Date(Date.now() + 365 * DAY_MS)),
  });
  if (!account) throw new Error(`POS customer ${created.customerId} has no point account`);
  const token = customerSessionTokens({
    customerId,
    appSecret: demoCredentials.shopifyAppSecret,
    shopDomain: demoShop.domain,
    clientId: demoCredentials.shopifyClientId,
  });
  return {
    customerId,
    customerGid,
    posCustomerId: created.customerId,
    email: options.email,
    startingBalance: account.point,
    token,
  };
}
