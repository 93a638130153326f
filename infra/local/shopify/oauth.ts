import { randomBytes, timingSafeEqual } from "node:crypto";
import type { Hono } from "hono";
import { type EmulatorControl, runOperation } from "../emulation/control";

/**
 * The client-credentials grant of a Dev Dashboard app, as Shopify documents it
 * (shopify.dev/docs/apps/build/authentication-authorization/access-tokens/client-credentials-grant):
 * `POST /admin/oauth/access_token` with `grant_type=client_credentials`, `client_id` and
 * `client_secret` (form-encoded, or JSON as Shopify's own library sends them) answers
 * `{access_token, scope, expires_in}`; the token lasts about 24 hours.
 *
 * Not in Shopify's documentation, so assumed: the error bodies (RFC 6749 §5.2's
 * `{error, error_description}` with 400 for a bad grant type and 401 for wrong credentials), the
 * token's shape (`shpat_` and hex) and the granted scope string.
 */
export interface OAuthOptions {
  clientId: string;
  clientSecret: string;
  /** Seconds an issued token lives; Shopify's answers show 86399. */
  tokenLifetimeSeconds: number;
  now: () => Date;
}

/** The grant's name in the emulator's control API (latency, faults, call counts). */
export const OAUTH_OPERATION = "oauthAccessToken";

/** The scopes the loyalty app's configuration asks for. */
const GRANTED_SCOPE = "read_customers,write_customers,read_discounts,write_discounts,read_orders";

export class AccessTokenIssuer {
  private readonly issued = new Map<string, number>();
  private lifetimeSeconds: number;

  constructor(private readonly options: OAuthOptions) {
    this.lifetimeSeconds = options.tokenLifetimeSeconds;
  }

  /** True for a token this issuer handed out that has not expired. */
  accepts(token: string): boolean {
    const expiresAt = this.issued.get(token);
    return expiresAt !== undefined && this.options.now().getTime() < expiresAt;
  }

  /** Lifetime of tokens issued from now on. */
  setLifetime(seconds: number): void {
    this.lifetimeSeconds = seconds;
  }

  /** Every issued token expires now, as they would after a day. */
  expireAll(): void {
    for (const token of this.issued.keys()) this.issued.set(token, 0);
  }

  /** How many tokens were issued since the last reset. */
  get issuedCount(): number {
    return this.issued.size;
  }

  reset(): void {
    this.issued.clear();
    this.lifetimeSeconds = this.options.tokenLifetimeSeconds;
  }

  /** Mounts the grant; with a control, it runs under its latency and faults as `oauthAccessToken`. */
  mount(app: Hono, control?: EmulatorControl): void {
    app.post("/admin/oauth/access_token", async (c) => {
      const body = await c.req.text();
      const contentType = c.req.header("content-type") ?? "";
      if (!control) return this.grant(contentType, body);
      return runOperation(control, OAUTH_OPERATION, c.req.raw, {
        commit: () => this.grant(contentType, body),
        failure: (kind) =>
          kind === "throttle"
            ? Response.json(
                { error: "too_many_requests", error_description: "Too many requests" },
                { status: 429, headers: { "retry-after": "1" } },
              )
            : Response.json(
                { error: "server_error", error_description: "The grant could not be completed" },
                { status: kind === "http500" ? 500 : 503 },
              ),
      });
    });

    app.put("/_control/access-tokens", async (c) => {
      const body = (await c.req.json().catch(() => ({}))) as {
        lifetimeSeconds?: unknown;
        expireAll?: unknown;
      };
      if (body.lifetimeSeconds !== undefined) {
        if (typeof body.lifetimeSeconds !== "number" || !(body.lifetimeSeconds > 0)) {
          return c.json({ error: "lifetimeSeconds must be a positive number" }, 400);
        }
        this.setLifetime(body.lifetimeSeconds);
      }
      if (body.expireAll === true) this.expireAll();
      return c.json({ lifetimeSeconds: this.lifetimeSeconds, issued: this.issuedCount });
    });
  }
  private grant(contentType: string, text: string): Response {
    let body: Record<string, unknown> = {};
    if (contentType.includes("application/json")) {
      try {
        const parsed: unknown = JSON.parse(text);
        if (typeof parsed === "object" && parsed !== null) body = parsed as Record<string, unknown>;
      } catch {
        body = {};
      }
    } else {
      body = Object.fromEntries(new URLSearchParams(text));
    }
    if (body.grant_type !== "client_credentials") {
      return Response.json(
        { error: "unsupported_grant_type", error_description: "grant_type must be client_credentials" },
        { status: 400 },
      );
    }
    if (
      !same(body.client_id, this.options.clientId) ||
      !same(body.client_secret, this.options.clientSecret)
    ) {
      return Response.json(
        { error: "invalid_client", error_description: "Client authentication failed" },
        { status: 401 },
      );
    }
    const token = `shpat_${randomBytes(16).toString("hex")}`;
    this.issued.set(token, this.options.now().getTime() + this.lifetimeSeconds * 1000);
    return Response.json({ access_token: token, scope: GRANTED_SCOPE, expires_in: this.lifetimeSeconds });
  }
}

function same(given: unknown, expected: string): boolean {
  if (typeof given !== "string") return false;
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}
