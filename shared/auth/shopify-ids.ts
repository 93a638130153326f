/** Identifiers shared by the two ways a storefront customer reaches the backend. */

export const customerGidPattern = /^gid:\/\/shopify\/Customer\/(\d+)$/;
const numericIdPattern = /^\d+$/;

export const customerGid = (customerId: string): string => `gid://shopify/Customer/${customerId}`;

/** Numeric id from a numeric string or a customer gid; undefined for anything else. */
export function parseCustomerId(idOrGid: string): string | undefined {
  if (numericIdPattern.test(idOrGid)) return idOrGid;
  return customerGidPattern.exec(idOrGid)?.[1];
}

/**
 * Shopify writes the shop as `https://x.myshopify.com` in a session token's `dest` and as
 * `x.myshopify.com` elsewhere; configuration may carry either, so compare the bare host.
 */
export function normaliseShopDomain(shop: string): string {
  return shop
    .trim()
    .replace(/^https?:\/\//i, "")
    .replace(/\/+$/, "")
    .toLowerCase();
}
