import { createHmac, timingSafeEqual } from "node:crypto";

/**
 * Shopify signs every webhook with base64(HMAC-SHA256(app secret, raw body)). Only the raw bytes
 * count: a body that was parsed and re-serialised no longer matches.
 */
export function webhookSignature(rawBody: Uint8Array, appSecret: string): string {
  return createHmac("sha256", appSecret).update(rawBody).digest("base64");
}

/** Constant-time check of `X-Shopify-Hmac-Sha256`; a missing or malformed header is simply false. */
export function isAuthenticWebhook(
  rawBody: Uint8Array,
  signatureHeader: string | undefined,
  appSecret: string,
): boolean {
  if (!signatureHeader || appSecret === "") return false;
  // Compare the base64 text itself: decoding first would let lenient base64 parsing accept variants.
  const expected = Buffer.from(webhookSignature(rawBody, appSecret), "utf8");
  const given = Buffer.from(signatureHeader.trim(), "utf8");
  // timingSafeEqual needs equal lengths; the length of a digest is no secret.
  return given.length === expected.length && timingSafeEqual(given, expected);
}
