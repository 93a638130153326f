/** Identifiers shared by the two ways a storefront customer reaches the backend. */
import * as z from "zod/mini";

/** Shopify ids are 64-bit integers: at most 20 digits. */
export const customerGidPattern = /^gid:\/\/shopify\/Customer\/(\d{1,20})$/;
const numericIdPattern = /^\d{1,20}$/;

export const customerGid = (customerId: string): string => `gid://shopify/Customer/${customerId}`;

/** Numeric id from a numeric string or a customer gid; undefined for anything else. */
export function parseCustomerId(idOrGid: string): string | undefined {
  if (numericIdPattern.test(idOrGid)) return idOrGid;
  return customerGidPattern.exec(idOrGid)?.[1];
}

/** A customer named by its numeric id or gid (surrounding spaces ignored), read as the numeric id. */
export const customerIdSchema = z.pipe(
  z.string(),
  z.transform((value, context) => {
    const id = parseCustomerId(value.trim());
    if (id === undefined) {
      context.issues.push({
        code: "custom",
        message: "expected a numeric Shopify customer id (at most 20 digits) or its gid",
        input: value,
      });
      return z.NEVER;
    }
    return id;
  }),
);

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
