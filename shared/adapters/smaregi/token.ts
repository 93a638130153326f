import { PosUnavailable } from "../../errors";
import type { HttpTransport } from "../http-transport";
import {
  fetchForRead,
  parseJsonBody,
  type ReadRetryPolicy,
  readBodyForRead,
  retryAfterMs,
  TransientPosFailure,
  withReadRetries,
  withTimeout,
} from "./http";
import { tokenResponseSchema } from "./schemas";

export interface SmaregiCredentials {
  clientId: string;
  clientSecret: string;
}

export interface SmaregiTokenSourceOptions {
  authUrl: string;
  contractId: string;
  /** Called for every new token, so rotated secrets are picked up. */
  credentials: () => Promise<SmaregiCredentials>;
  scopes: readonly string[];
  fetch: HttpTransport;
  now: () => Date;
  retry: ReadRetryPolicy;
}

/** Refresh this long before Smaregi says the token expires, so a call never carries a dying token. */
const REFRESH_MARGIN_MS = 60_000;

/**
 * Client-credentials access tokens for one contract. A token is reused until shortly before it
 * expires, and concurrent callers share one in-flight token request.
 */
export class SmaregiTokenSource {
  private cached: { accessToken: string; refreshAt: number } | undefined;
  private pending: Promise<string> | undefined;

  constructor(private readonly options: SmaregiTokenSourceOptions) {}

  async accessToken(): Promise<string> {
    if (this.cached && this.options.now().getTime() < this.cached.refreshAt) return this.cached.accessToken;
    this.pending ??= this.requestToken().finally(() => {
      this.pending = undefined;
    });
    return this.pending;
  }

  /** Drops a token Smaregi refused; a token fetched meanwhile by another caller is kept. */
  forget(accessToken: string): void {
    if (this.cached?.accessToken === accessToken) this.cached = undefined;
  }

  private async requestToken(): Promise<string> {
    const { authUrl, contractId, scopes, retry } = this.options;
    const url = `${authUrl.replace(/\/+$/, "")}/app/${encodeURIComponent(contractId)}/token`;
    const what = "the access token request";
    const { clientId, clientSecret } = await this.options.credentials();
    const authorization = `Basic ${Buffer.from(`${clientId}:${clientSecret}`).toString("base64")}`;
    const body = new URLSearchParams({
      grant_type: "client_credentials",
      scope: scopes.join(" "),
    }).toString();

    const token = await withReadRetries(retry, async (timeoutMs) => {
      return withTimeout(timeoutMs, async (signal) => {
        const issuedAt = this.options.now().getTime();
        const response = await fetchForRead(
          this.options.fetch,
          url,
          {
            method: "POST",
            headers: { authorization, "content-type": "application/x-www-form-urlencoded" },
            body,
            signal,
          },
          what,
        );
        const text = await readBodyForRead(response, what);
        if (response.status === 429) {
          throw new TransientPosFailure("throttled", "Smaregi throttled the access token request", {
            retryAfterMs: retryAfterMs(response.headers.get("retry-after")),
          });
        }
        if (response.status >= 500) {
          throw new TransientPosFailure("server-error", `Smaregi answered ${response.status} to ${what}`);
        }
        if (!response.ok) {
          // Wrong credentials, contract or scopes: a configuration problem that retries cannot fix.
          throw new PosUnavailable(`Smaregi refused ${what} (${response.status}): ${text.slice(0, 200)}`);
        }
        const parsed = parseJsonBody(text, tokenResponseSchema);
        if (!parsed.success) {
          throw new PosUnavailable(`Smaregi's answer to ${what} could not be read`, { cause: parsed.error });
        }
        const lifetimeMs = parsed.data.expires_in * 1000;
        return {
          accessToken: parsed.data.access_token,
          // Short-lived tokens (unlikely) are refreshed at half-life instead.
          refreshAt: issuedAt + Math.max(lifetimeMs - REFRESH_MARGIN_MS, lifetimeMs / 2),
        };
      });
    });
    this.cached = token;
    return token.accessToken;
  }
}
