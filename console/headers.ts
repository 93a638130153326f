/**
 * The console's security headers, one definition for CloudFront's response headers policy and
 * the local gateway. Scripts and styles come only from the console's origin (no inline script, no
 * CDN); the API is same-origin (`/v1/*`); the OIDC client also talks to the sign-in endpoints.
 */

export interface ConsoleHeaderOptions {
  /** Origins the OIDC client fetches from: discovery/JWKS (issuer) and token endpoint (login domain). */
  readonly identityOrigins: readonly string[];
}

export function contentSecurityPolicy(options: ConsoleHeaderOptions): string {
  return [
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "font-src 'self'",
    `connect-src 'self' ${options.identityOrigins.join(" ")}`.trim(),
    "form-action 'self'",
    "frame-ancestors 'none'",
    "base-uri 'none'",
    "object-src 'none'",
    "manifest-src 'self'",
  ].join("; ");
}

/** HSTS: two years, subdomains included (the console is only ever served over HTTPS in AWS). */
export const HSTS_SECONDS = 63_072_000;

export const PERMISSIONS_POLICY = "camera=(), microphone=(), geolocation=(), payment=(), usb=()";

/** Every header, as the local gateway sends them with each console file. */
export function consoleSecurityHeaders(options: ConsoleHeaderOptions): Record<string, string> {
  return {
    "content-security-policy": contentSecurityPolicy(options),
    "strict-transport-security": `max-age=${HSTS_SECONDS}; includeSubDomains`,
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
    "referrer-policy": "no-referrer",
    "permissions-policy": PERMISSIONS_POLICY,
    "cross-origin-opener-policy": "same-origin",
  };
}
