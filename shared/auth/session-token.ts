import { errors, jwtVerify } from "jose";
import * as z from "zod/mini";
import { Unauthenticated } from "../errors";
import { customerGidPattern, normaliseShopDomain } from "./shopify-ids";

export interface SessionTokenOptions {
  /** The app's client secret: Shopify signs session tokens with it (HS256). */
  appSecret: string;
  /** The shop this deployment serves, with or without `https://`. */
  shopDomain: string;
  /** When set, `aud` must equal it. Shopify's own libraries skip this check for customer accounts. */
  clientId?: string;
  clockToleranceSeconds?: number;
  /**
   * Oldest `iat` accepted, and furthest `exp`: Shopify's session tokens live 5 minutes
   * (shopify.dev session-token API), so a longer-lived one was not issued by Shopify's runtime.
   */
  maxTokenAgeSeconds?: number;
  now?: Date;
}

export interface VerifiedSessionToken {
  customerGid: string;
  /** Numeric part of the gid, as Smaregi stores it. */
  customerId: string;
  shopDomain: string;
  /** Present on Shopify's tokens; a replay cache can key on it. */
  jti?: string;
}

/** The claims this service relies on; signature, `exp` and `nbf` are checked by jose. */
const sessionTokenClaimsSchema = z.object({
  dest: z.string().check(z.minLength(1)),
  exp: z.number(),
  sub: z.optional(z.string()),
  jti: z.optional(z.string()),
});
export type SessionTokenClaims = z.infer<typeof sessionTokenClaimsSchema>;

const encoder = new TextEncoder();

/**
 * The HMAC key of the app secret, imported once per secret: given the secret's bytes, jose imports
 * a key on every verification. Only the last secret is kept (a rotated one replaces it).
 */
let verificationKey: { appSecret: string; key: Promise<CryptoKey> } | undefined;

function hmacKeyFor(appSecret: string): Promise<CryptoKey> {
  if (verificationKey?.appSecret !== appSecret) {
    verificationKey = {
      appSecret,
      key: crypto.subtle.importKey(
        "raw",
        encoder.encode(appSecret),
        { name: "HMAC", hash: "SHA-256" },
        false,
        ["verify"],
      ),
    };
  }
  return verificationKey.key;
}

/**
 * Verifies a customer-account UI extension session token (`shopify.sessionToken.get()`).
 * Every rejection is an `Unauthenticated` whose message tells the front end what to do; the
 * token itself never appears in a message.
 */
export async function verifyCustomerSessionToken(
  token: string,
  options: SessionTokenOptions,
): Promise<VerifiedSessionToken> {
  const {
    appSecret,
    shopDomain,
    clientId,
    clockToleranceSeconds = 10,
    maxTokenAgeSeconds = 300,
    now,
  } = options;
  if (appSecret.length === 0) {
    // A configuration fault, not the caller's: let it surface as a 500.
    throw new TypeError("verifyCustomerSessionToken: appSecret is empty");
  }

  let payload: unknown;
  try {
    ({ payload } = await jwtVerify(token, await hmacKeyFor(appSecret), {
      // Pinning the algorithm is what rejects `alg: none` and asymmetric-key confusion.
      algorithms: ["HS256"],
      clockTolerance: clockToleranceSeconds,
      currentDate: now,
      requiredClaims: ["exp", "iat"],
      // Also refuses an `iat` in the future (beyond the clock tolerance).
      maxTokenAge: maxTokenAgeSeconds,
      audience: clientId,
    }));
  } catch (error) {
    throw unauthenticatedFromJose(error);
  }

  const parsed = sessionTokenClaimsSchema.safeParse(payload);
  if (!parsed.success) {
    const claim = parsed.error.issues[0]?.path[0];
    throw new Unauthenticated(
      claim === "dest"
        ? "The session token does not name a shop (dest); sign in again"
        : "The session token has malformed claims; sign in again",
    );
  }
  const claims = parsed.data;
  const nowSeconds = Math.floor((now ?? new Date()).getTime() / 1000);
  if (claims.exp > nowSeconds + maxTokenAgeSeconds + clockToleranceSeconds) {
    throw new Unauthenticated("The session token lives longer than Shopify's do; sign in again");
  }

  if (normaliseShopDomain(claims.dest) !== normaliseShopDomain(shopDomain)) {
    throw new Unauthenticated("The session token was issued for another shop; sign in again");
  }
  if (claims.sub === undefined) {
    // Shopify omits `sub` for guests and when the app lacks protected customer data access.
    throw new Unauthenticated("The session token carries no customer; sign in to your customer account");
  }
  const customerId = customerGidPattern.exec(claims.sub)?.[1];
  if (customerId === undefined) {
    throw new Unauthenticated(
      "The session token's subject is not a customer; sign in to your customer account",
    );
  }

  return {
    customerGid: claims.sub,
    customerId,
    shopDomain: normaliseShopDomain(claims.dest),
    ...(claims.jti === undefined ? {} : { jti: claims.jti }),
  };
}

function unauthenticatedFromJose(error: unknown): Unauthenticated {
  if (error instanceof errors.JWTExpired) {
    return new Unauthenticated("The session token has expired; sign in again");
  }
  if (error instanceof errors.JWTClaimValidationFailed) {
    switch (error.claim) {
      case "iat":
        if (error.reason === "missing") {
          return new Unauthenticated('The session token\'s "iat" claim is missing; sign in again');
        }
        return new Unauthenticated(
          "The session token is not valid yet; check the device clock and try again",
        );
      case "nbf":
        return new Unauthenticated(
          "The session token is not valid yet; check the device clock and try again",
        );
      case "aud":
        return new Unauthenticated("The session token was issued for another app; sign in again");
      case "exp":
        return new Unauthenticated("The session token has no valid expiry; sign in again");
      default:
        return new Unauthenticated(`The session token's "${error.claim}" claim is invalid; sign in again`);
    }
  }
  if (error instanceof errors.JOSEAlgNotAllowed || error instanceof errors.JOSENotSupported) {
    return new Unauthenticated("The session token is not signed the way Shopify signs it; sign in again");
  }
  if (error instanceof errors.JWSSignatureVerificationFailed) {
    return new Unauthenticated("The session token's signature is invalid; sign in again");
  }
  if (error instanceof errors.JWSInvalid || error instanceof errors.JWTInvalid) {
    return new Unauthenticated("The session token is malformed; sign in again");
  }
  // Anything else (e.g. a crypto fault) still must not let the request through.
  return new Unauthenticated("The session token could not be verified; sign in again", { cause: error });
}
