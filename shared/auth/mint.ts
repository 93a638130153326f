import { randomUUID } from "node:crypto";
import { SignJWT } from "jose";
import { customerGid, normaliseShopDomain, parseCustomerId } from "./shopify-ids";

export interface MintCustomerSessionTokenInput {
  /** Numeric id or customer gid. */
  customerId: string;
  appSecret: string;
  shopDomain: string;
  clientId: string;
  ttlSeconds?: number;
  now?: Date;
}

/**
 * Issues a token shaped like the one `shopify.sessionToken.get()` returns to a customer-account
 * extension, for the local stack, tests and the benchmark. Production tokens come from Shopify.
 */
export async function mintCustomerSessionToken(input: MintCustomerSessionTokenInput): Promise<string> {
  const { appSecret, clientId, ttlSeconds = 300, now = new Date() } = input;
  const customerId = parseCustomerId(input.customerId);
  if (customerId === undefined) {
    throw new TypeError("mintCustomerSessionToken: customerId must be numeric or a customer gid");
  }
  if (!Number.isInteger(ttlSeconds) || ttlSeconds <= 0) {
    throw new TypeError("mintCustomerSessionToken: ttlSeconds must be a positive integer");
  }
  const shop = normaliseShopDomain(input.shopDomain);
  const issuedAt = Math.floor(now.getTime() / 1000);

  return new SignJWT({ dest: `https://${shop}` })
    .setProtectedHeader({ alg: "HS256", typ: "JWT" })
    .setIssuer(`https://${shop}/admin`)
    .setAudience(clientId)
    .setSubject(customerGid(customerId))
    .setIssuedAt(issuedAt)
    .setNotBefore(issuedAt)
    .setExpirationTime(issuedAt + ttlSeconds)
    .setJti(randomUUID())
    .sign(new TextEncoder().encode(appSecret));
}

/**
 * Session tokens for one customer as `shopify.sessionToken.get()` hands them out: cached, and a
 * fresh one once the cached one is a minute old (the service refuses tokens issued more than
 * 5 minutes ago, as they live no longer at Shopify).
 */
export function customerSessionTokens(
  input: Omit<MintCustomerSessionTokenInput, "now" | "ttlSeconds">,
  now: () => Date = () => new Date(),
): () => Promise<string> {
  let cached: { token: Promise<string>; mintedAt: number } | undefined;
  return () => {
    const at = now();
    if (!cached || at.getTime() - cached.mintedAt > 60_000) {
      cached = { token: mintCustomerSessionToken({ ...input, now: at }), mintedAt: at.getTime() };
    }
    return cached.token;
  };
}
