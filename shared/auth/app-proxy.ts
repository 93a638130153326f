import { createHmac, timingSafeEqual } from "node:crypto";
import { Unauthenticated } from "../errors";
import { customerGid, normaliseShopDomain } from "./shopify-ids";

export interface AppProxyOptions {
  /** The app's client secret: Shopify signs proxied requests with it. */
  appSecret: string;
  /** The shop this deployment serves, with or without `https://`. */
  shopDomain: string;
  /** Accepted distance between Shopify's `timestamp` and now; Shopify's library uses 90 s. */
  maxAgeSeconds?: number;
  now?: Date;
}

export interface VerifiedAppProxyRequest {
  customerGid: string;
  customerId: string;
  shopDomain: string;
}

/** Parameter values as the signature sees them: repeated keys keep every value, in order. */
export type AppProxyParams = Readonly<Record<string, string | readonly string[]>>;

/** Parameters Shopify adds to every proxied request. */
const SHOPIFY_PARAMS = ["logged_in_customer_id", "path_prefix", "shop", "timestamp"] as const;
const SIGNATURE = "signature";
/** Shopify sets these once; a repeat means someone appended their own copy. */
const SINGLE_VALUE_PARAMS = new Set<string>([...SHOPIFY_PARAMS, SIGNATURE]);
const hexDigestPattern = /^[0-9a-f]{64}$/;

/**
 * Verifies a request forwarded by Shopify's app proxy (`/apps/<subpath>`): the signature over the
 * other query parameters, its freshness, the shop, and that a customer is signed in.
 *
 * `rawQueryString` is the query exactly as received (API Gateway's `rawQueryString`), because the
 * already-decoded parameter maps of API Gateway lose repeated keys.
 */
export function verifyAppProxyRequest(
  rawQueryString: string,
  options: AppProxyOptions,
): VerifiedAppProxyRequest {
  const { appSecret, shopDomain, maxAgeSeconds = 90, now = new Date() } = options;
  if (appSecret.length === 0) {
    // A configuration fault, not the caller's: let it surface as a 500.
    throw new TypeError("verifyAppProxyRequest: appSecret is empty");
  }

  const params = parseQueryString(rawQueryString);
  const signature = single(params, SIGNATURE);
  if (signature === undefined || signature === "") {
    throw new Unauthenticated(
      "The request was not signed by Shopify's app proxy; open the page from the shop",
    );
  }
  params.delete(SIGNATURE);
  assertUnambiguous(params);

  const expected = createHmac("sha256", appSecret).update(canonicalMessage(params)).digest();
  // Both sides are 32 bytes once the hex shape is checked, as timingSafeEqual requires.
  if (!hexDigestPattern.test(signature) || !timingSafeEqual(expected, Buffer.from(signature, "hex"))) {
    throw new Unauthenticated("The app proxy signature is invalid; reload the page from the shop");
  }

  const timestamp = single(params, "timestamp") ?? "";
  const ageSeconds = Math.abs(now.getTime() / 1000 - Number(timestamp));
  if (!/^\d+$/.test(timestamp) || !(ageSeconds <= maxAgeSeconds)) {
    throw new Unauthenticated("The app proxy request is too old or from the future; reload the page");
  }

  const shop = normaliseShopDomain(single(params, "shop") ?? "");
  if (shop !== normaliseShopDomain(shopDomain)) {
    throw new Unauthenticated("The app proxy request was signed for another shop");
  }

  const customerId = single(params, "logged_in_customer_id") ?? "";
  if (customerId === "") {
    throw new Unauthenticated("You are not signed in; sign in to your customer account to see your points");
  }
  if (!/^\d+$/.test(customerId)) {
    throw new Unauthenticated("The app proxy request names a malformed customer id");
  }
  return { customerGid: customerGid(customerId), customerId, shopDomain: shop };
}

/** Hex signature Shopify would send for these parameters (`signature` itself is ignored). */
export function appProxySignature(params: AppProxyParams, appSecret: string): string {
  const entries = new Map<string, string[]>();
  for (const [key, value] of Object.entries(params)) {
    if (key !== SIGNATURE) entries.set(key, typeof value === "string" ? [value] : [...value]);
  }
  return createHmac("sha256", appSecret).update(canonicalMessage(entries)).digest("hex");
}

/**
 * A raw query string as Shopify's proxy would forward it, signature last. Values are
 * percent-encoded (space as `%20`); repeated values become repeated keys.
 */
export function signAppProxyQuery(params: AppProxyParams, appSecret: string): string {
  const pairs: string[] = [];
  for (const [key, value] of Object.entries(params)) {
    for (const item of typeof value === "string" ? [value] : value) {
      pairs.push(`${encodeURIComponent(key)}=${encodeURIComponent(item)}`);
    }
  }
  pairs.push(`${SIGNATURE}=${appProxySignature(params, appSecret)}`);
  return pairs.join("&");
}

/** True when the query carries a `signature`, i.e. claims to come through the app proxy. */
export function hasAppProxySignature(rawQueryString: string): boolean {
  return parseQueryString(rawQueryString).has(SIGNATURE);
}

/**
 * application/x-www-form-urlencoded parsing, as `URLSearchParams` (and so Shopify's own
 * validator) does it: `+` and `%20` both decode to a space, a pair without `=` has an empty
 * value. Malformed escapes are rejected rather than passed through, since Shopify never sends them.
 */
function parseQueryString(rawQueryString: string): Map<string, string[]> {
  const params = new Map<string, string[]>();
  const query = rawQueryString.startsWith("?") ? rawQueryString.slice(1) : rawQueryString;
  for (const pair of query.split("&")) {
    if (pair === "") continue;
    const separator = pair.indexOf("=");
    const key = decodeComponent(separator === -1 ? pair : pair.slice(0, separator));
    const value = separator === -1 ? "" : decodeComponent(pair.slice(separator + 1));
    const values = params.get(key);
    if (values === undefined) params.set(key, [value]);
    else values.push(value);
  }
  return params;
}

function decodeComponent(encoded: string): string {
  try {
    return decodeURIComponent(encoded.replaceAll("+", " "));
  } catch {
    throw new Unauthenticated("The app proxy query string is malformed");
  }
}

/** The value of a parameter that must appear at most once. */
function single(params: ReadonlyMap<string, readonly string[]>, key: string): string | undefined {
  const values = params.get(key);
  if (values !== undefined && values.length > 1) {
    throw new Unauthenticated(`The app proxy query repeats "${key}"`);
  }
  return values?.[0];
}

/**
 * Shopify's message concatenates `key=value` with no separator, so one signed message can be
 * re-split into different parameters: a storefront visitor who smuggles
 * `a=xlogged_in_customer_id=222m` through the proxy gets a signature that also covers
 * `{a: "x", logged_in_customer_id: "222", mlogged_in_customer_id: "<own id>"}`.
 *
 * The storefront's own parameters (`utm_*`, cache busters, `locale`) are signed too and must pass,
 * so names are not limited to a list. What makes the reading unique instead:
 * - no `=` in any name or value, so the message's `=` signs are exactly the separators;
 * - each of Shopify's parameters exactly once;
 * - no other name ends with one of Shopify's names or is the end of one (`xlogged_in_customer_id`,
 *   `customer_id`, `id`). The genuine `logged_in_customer_id=` in the message must then be read
 *   as Shopify's own parameter, and its value cannot grow or shrink: keys are sorted, so the key
 *   after it starts with a letter at or after `l`, never with a digit. The same holds for
 *   `timestamp` and `shop`.
 */
function assertUnambiguous(params: ReadonlyMap<string, readonly string[]>) {
  for (const [key, values] of params) {
    if (key.includes("=") || values.some((value) => value.includes("="))) {
      throw new Unauthenticated("The app proxy query has a parameter containing '='");
    }
    if (SINGLE_VALUE_PARAMS.has(key)) single(params, key);
    else if (clashesWithShopifyName(key)) {
      throw new Unauthenticated(
        `The app proxy query has a parameter ${JSON.stringify(key.slice(0, 40))} that could be read as one of Shopify's; rename it`,
      );
    }
  }
  for (const name of SHOPIFY_PARAMS) {
    if (!params.has(name)) throw new Unauthenticated(`The app proxy query lacks "${name}"`);
  }
}

/**
 * True for a name that is the end of one of Shopify's (`id`) or ends with one
 * (`xlogged_in_customer_id`): re-split, it could take over Shopify's own `name=`.
 */
function clashesWithShopifyName(name: string): boolean {
  return (
    name === "" ||
    [...SINGLE_VALUE_PARAMS].some((reserved) => reserved.endsWith(name) || name.endsWith(reserved))
  );
}

/**
 * Shopify's app proxy message: keys sorted, repeated values joined with ",", `key=value`
 * concatenated without a separator. Keys sort by code unit, as Shopify's Ruby example does;
 * Shopify's JS library uses localeCompare, which only differs for mixed-case or punctuated
 * names and never for the parameters Shopify adds.
 */
function canonicalMessage(params: ReadonlyMap<string, readonly string[]>): string {
  return [...params.keys()]
    .sort()
    .map((key) => `${key}=${(params.get(key) ?? []).join(",")}`)
    .join("");
}
