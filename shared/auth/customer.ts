import { Forbidden, InvalidRequest, Unauthenticated } from "../errors";
import { hasAppProxySignature, verifyAppProxyRequest } from "./app-proxy";
import { verifyCustomerSessionToken } from "./session-token";
import { parseCustomerId } from "./shopify-ids";

export interface AuthenticatedCustomer {
  customerGid: string;
  /** Numeric Shopify customer id, which is also the member number at the POS. */
  customerId: string;
  shopDomain: string;
  /** Which proof the request carried; useful in logs and metrics. */
  via: "session-token" | "app-proxy";
  jti?: string;
}

export interface CustomerRequest {
  /** Header names in lower case, as API Gateway's HTTP API delivers them. */
  headers: Readonly<Record<string, string | undefined>>;
  /** The query exactly as received, without decoding. */
  rawQueryString: string;
}

export interface CustomerAuthOptions {
  appSecret: string;
  shopDomain: string;
  /** When set, a session token's `aud` must equal it. */
  clientId?: string;
  clockToleranceSeconds?: number;
  /** Freshness window for app proxy signatures. */
  maxAgeSeconds?: number;
  now?: Date;
}

const bearerPattern = /^Bearer[ ]+(\S+)\s*$/i;

/**
 * Identifies the signed-in storefront customer: a customer-account extension sends a session
 * token as `Authorization: Bearer`, a theme page comes through the app proxy with a signed query.
 */
export async function authenticateCustomer(
  request: CustomerRequest,
  options: CustomerAuthOptions,
): Promise<AuthenticatedCustomer> {
  const authorization = request.headers.authorization;
  if (authorization !== undefined && authorization.trim() !== "") {
    const token = bearerPattern.exec(authorization)?.[1];
    if (token === undefined) {
      throw new Unauthenticated("Send the session token as 'Authorization: Bearer <token>'");
    }
    const verified = await verifyCustomerSessionToken(token, {
      appSecret: options.appSecret,
      shopDomain: options.shopDomain,
      clientId: options.clientId,
      clockToleranceSeconds: options.clockToleranceSeconds,
      now: options.now,
    });
    return { ...verified, via: "session-token" };
  }

  if (hasAppProxySignature(request.rawQueryString)) {
    const verified = verifyAppProxyRequest(request.rawQueryString, {
      appSecret: options.appSecret,
      shopDomain: options.shopDomain,
      maxAgeSeconds: options.maxAgeSeconds,
      now: options.now,
    });
    return { ...verified, via: "app-proxy" };
  }

  throw new Unauthenticated("Sign in to see your points");
}

/**
 * A customer may only act on their own points. `requestedCustomerId` comes from the path, already
 * decoded once by API Gateway (decoding again would turn `%2537` into `7`): a numeric id or a
 * customer gid.
 */
export function assertSameCustomer(
  authenticated: Pick<AuthenticatedCustomer, "customerId">,
  requestedCustomerId: string,
): void {
  const requested = parseCustomerId(requestedCustomerId);
  if (requested === undefined) {
    throw new InvalidRequest(
      "invalid_customer_id",
      "The customer id must be numeric or a Shopify customer gid",
    );
  }
  if (requested !== authenticated.customerId) {
    throw new Forbidden("You can only see and use your own points");
  }
}
