import * as z from "zod/mini";
import { ShopifyRejected, ShopifyUnavailable } from "../../errors";

/**
 * Where the Admin API access token comes from.
 *
 * An app created in the Dev Dashboard (the only kind a shop can create since 2026-01-01) has a
 * client id and secret, and exchanges them for a token with the client-credentials grant
 * (`POST https://{shop}/admin/oauth/access_token`); the token expires after about 24 hours
 * (shopify.dev/docs/apps/build/authentication-authorization/access-tokens/client-credentials-grant).
 * A shop that still runs an old custom app keeps its static `shpat_` token.
 */
export interface AdminAccessToken {
  /** A token believed valid now. */
  current(): Promise<string>;
  /** Shopify answered 401 to `token`: the next `current()` gets a new one, where that is possible. */
  rejected(token: string): void;
}

/**
 * The stage secret: `{"clientId": "...", "clientSecret": "..."}` for a Dev Dashboard app, or
 * `{"accessToken": "shpat_..."}` (or the bare token) for an old custom app.
 */
const credentialsSchema = z.union([
  z.strictObject({
    clientId: z.string().check(z.minLength(1)),
    clientSecret: z.string().check(z.minLength(1)),
  }),
  z.strictObject({ accessToken: z.string().check(z.minLength(1)) }),
]);
export type ShopifyAdminCredentials = z.infer<typeof credentialsSchema>;

export function parseAdminCredentials(secret: string): ShopifyAdminCredentials {
  const text = secret.trim();
  if (!text.startsWith("{")) {
    if (text === "") throw new Error("The Shopify Admin credentials secret is empty");
    return { accessToken: text };
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new Error("The Shopify Admin credentials secret is not valid JSON");
  }
  const parsed = credentialsSchema.safeParse(json);
  if (!parsed.success) {
    throw new Error(
      'The Shopify Admin credentials secret must be {"clientId": "...", "clientSecret": "..."} (a Dev Dashboard app) or {"accessToken": "shpat_..."} (an old custom app)',
    );
  }
  return parsed.data;
}

const grantResponseSchema = z.object({
  access_token: z.string().check(z.minLength(1)),
  scope: z.optional(z.string()),
  expires_in: z.number().check(z.positive()),
});

export interface ClientCredentialsTokenOptions {
  /** `shop.myshopify.com` */
  shopDomain: string;
  /** Sends the grant here instead of `https://{shopDomain}` (the local emulator). */
  adminUrl?: string;
  /** The stage secret's value, read per token request so a rotated secret is picked up. */
  secret: () => Promise<string>;
  /** Per grant request; 10 s by default. */
  timeoutMs?: number;
  fetch?: typeof fetch;
  now?: () => number;
}

/** A token is renewed this long before it expires: 5 minutes, or a tenth of a short lifetime. */
const MAX_REFRESH_MARGIN_MS = 5 * 60_000;

interface CachedToken {
  value: string;
  renewAt: number;
}

/**
 * The Admin API token of a Dev Dashboard app (or an old static one), cached per process: renewed
 * before it expires and after a 401, with concurrent callers sharing one grant request.
 */
export class ShopifyAdminAccessToken implements AdminAccessToken {
  private cached: CachedToken | undefined;
  private inFlight: Promise<CachedToken> | undefined;
  private readonly fetch: typeof fetch;
  private readonly now: () => number;

  constructor(private readonly options: ClientCredentialsTokenOptions) {
    // Bound late so a test's stubbed global fetch is honoured.
    this.fetch = options.fetch ?? ((input, init) => fetch(input, init));
    this.now = options.now ?? Date.now;
  }

  async current(): Promise<string> {
    if (this.cached && this.now() < this.cached.renewAt) return this.cached.value;
    this.inFlight ??= this.obtain().finally(() => {
      this.inFlight = undefined;
    });
    this.cached = await this.inFlight;
    return this.cached.value;
  }

  rejected(token: string): void {
    if (this.cached?.value === token) this.cached = undefined;
  }

  private async obtain(): Promise<CachedToken> {
    const credentials = parseAdminCredentials(await this.options.secret());
    // A static token cannot be renewed here; it is read again from the secret (a rotated one shows).
    if ("accessToken" in credentials) return { value: credentials.accessToken, renewAt: this.now() };

    const base = (this.options.adminUrl ?? `https://${this.options.shopDomain}`).replace(/\/+$/, "");
    const requestedAt = this.now();
    let response: Response;
    try {
      response = await this.fetch(`${base}/admin/oauth/access_token`, {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded", accept: "application/json" },
        body: new URLSearchParams({
          grant_type: "client_credentials",
          client_id: credentials.clientId,
          client_secret: credentials.clientSecret,
        }).toString(),
        signal: AbortSignal.timeout(this.options.timeoutMs ?? 10_000),
      });
    } catch (error) {
      throw new ShopifyUnavailable("Shopify did not answer the access token request", { cause: error });
    }
    const text = await response.text().catch(() => "");
    if (response.status >= 500 || response.status === 429) {
      throw new ShopifyUnavailable(`Shopify answered the access token request with HTTP ${response.status}`);
    }
    if (!response.ok) {
      // A wrong client id or secret, or an app not installed on the shop: retrying does not help.
      throw new ShopifyRejected(
        `Shopify refused the app's client credentials (HTTP ${response.status}); check the client id and secret in the stage secret and that the app is installed on ${this.options.shopDomain}`,
        [{ message: text.slice(0, 200) || `HTTP ${response.status}`, code: `HTTP_${response.status}` }],
      );
    }
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      json = undefined;
    }
    const parsed = grantResponseSchema.safeParse(json);
    if (!parsed.success) {
      throw new ShopifyUnavailable("Shopify's answer to the access token request could not be read");
    }
    const lifetimeMs = parsed.data.expires_in * 1000;
    const margin = Math.min(MAX_REFRESH_MARGIN_MS, lifetimeMs / 10);
    return { value: parsed.data.access_token, renewAt: requestedAt + lifetimeMs - margin };
  }
}
