import { createGraphQLClient, type GraphQLClient } from "@shopify/graphql-client";
import * as z from "zod/mini";
import { ShopifyRejected, ShopifyUnavailable } from "../../errors";
import type { AdminAccessToken } from "./access-token";

/**
 * One Admin GraphQL call with the house error policy, on top of Shopify's `@shopify/graphql-client`
 * (the client `@shopify/admin-api-client` wraps; that wrapper only adds the Admin URL and headers
 * built below and checks of the domain and version that the configuration already makes, for
 * ~2.6 KB of every Shopify-calling bundle):
 * - the library's own retries are off (it only knows 429/503 and misses THROTTLED at HTTP 200);
 * - THROTTLED waits as Shopify's cost data says (research §4), within `maxThrottleWaitMs` in total;
 * - network errors, timeouts, 5xx and 429 become `ShopifyUnavailable`;
 * - other GraphQL errors become `ShopifyRejected`; mutation `userErrors` are the caller's to read.
 */

export interface AdminGraphqlOptions {
  /** `shop.myshopify.com` */
  shopDomain: string;
  apiVersion: string;
  /** Asked per request; told when Shopify answers 401, after which the request is sent once more. */
  accessToken: AdminAccessToken;
  /** Sends requests here instead of `https://{shopDomain}`, e.g. `http://127.0.0.1:3001` locally. */
  adminUrl?: string;
  /** Per HTTP request; 10 s by default. */
  timeoutMs?: number;
  /** Total time spent waiting out THROTTLED answers before giving up; 5 s by default. */
  maxThrottleWaitMs?: number;
}

export type UserError = { field?: readonly string[] | null; message: string; code?: string | null };

/** The `userErrors` a mutation answers, as its documents select them (`field message code`). */
export const userErrorSchema = z.object({
  field: z.nullish(z.array(z.string())),
  message: z.string(),
  code: z.nullish(z.string()),
});

export type UserErrors = z.infer<typeof userErrorSchema>[];

const DEFAULT_TIMEOUT_MS = 10_000;
const DEFAULT_MAX_THROTTLE_WAIT_MS = 5_000;
/** Waiting at least this long keeps a throttled caller from spinning when the bucket refills in steps. */
const MIN_THROTTLE_WAIT_MS = 100;
const TRANSIENT_STATUSES = new Set([408, 423, 429]);
/** How the service names itself to Shopify (the Admin API asks apps for a descriptive one). */
const USER_AGENT = "loyalty-points-coupons";

interface ThrottleCost {
  requestedQueryCost?: number;
  actualQueryCost?: number | null;
  throttleStatus?: { maximumAvailable?: number; currentlyAvailable?: number; restoreRate?: number };
}

export class AdminGraphql {
  private readonly client: GraphQLClient;
  private readonly timeoutMs: number;
  private readonly maxThrottleWaitMs: number;

  constructor(private readonly options: AdminGraphqlOptions) {
    this.timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.maxThrottleWaitMs = options.maxThrottleWaitMs ?? DEFAULT_MAX_THROTTLE_WAIT_MS;
    this.client = createGraphQLClient({
      url: `https://${options.shopDomain}/admin/api/${options.apiVersion}/graphql.json`,
      // The access token is set per request, in `send` below.
      headers: { "Content-Type": "application/json", Accept: "application/json", "User-Agent": USER_AGENT },
      retries: 0,
      customFetchApi: (url, init) => this.send(url, init),
    });
  }

  private async send(url: string, init?: Parameters<typeof fetch>[1]): Promise<Response> {
    const timeout = AbortSignal.timeout(this.timeoutMs);
    const signal = init?.signal ? AbortSignal.any([init.signal, timeout]) : timeout;
    const attempt = (token: string) => {
      const headers = new Headers(init?.headers);
      headers.set("X-Shopify-Access-Token", token);
      return fetch(this.target(url), { method: init?.method, body: init?.body, headers, signal });
    };
    const token = await this.options.accessToken.current();
    const response = await attempt(token);
    if (response.status !== 401) return response;
    // An expired or revoked token: Shopify ran nothing, so one more try with a fresh token is safe.
    this.options.accessToken.rejected(token);
    const renewed = await this.options.accessToken.current();
    if (renewed === token) return response;
    await response.body?.cancel();
    return attempt(renewed);
  }

  private target(url: string): string {
    if (!this.options.adminUrl) return url;
    const parsed = new URL(url);
    return `${this.options.adminUrl.replace(/\/+$/, "")}${parsed.pathname}${parsed.search}`;
  }

  /**
   * Runs `query` and returns its `data` parsed by `schema`. `operation` names the call in errors.
   */
  async request<T>(
    operation: string,
    query: string,
    variables: Record<string, unknown>,
    schema: z.ZodMiniType<T>,
  ): Promise<T> {
    // Obtained here rather than inside the library's fetch, so a refused grant keeps its own error.
    await this.options.accessToken.current();
    let waitedMs = 0;
    for (;;) {
      const response = await this.client.request(query, { variables });
      const errors = response.errors;
      if (!errors) return parseData(operation, response.data, schema);

      const graphQLErrors = errors.graphQLErrors ?? [];
      if (graphQLErrors.some((error) => error.extensions?.code === "THROTTLED")) {
        const waitMs = throttleWaitMs(response.extensions?.cost);
        if (waitedMs + waitMs > this.maxThrottleWaitMs) {
          throw new ShopifyUnavailable(
            `Shopify throttled ${operation}; waited ${waitedMs} ms, would need ${waitMs} ms more`,
          );
        }
        // Jitter spreads callers that were throttled together, so they do not all return at once
        // and empty the bucket again.
        const jitteredMs = Math.round(waitMs * (1 + Math.random() * 0.5));
        await sleep(jitteredMs);
        waitedMs += jitteredMs;
        continue;
      }
      throw classify(operation, errors);
    }
  }
}

/** `(requestedQueryCost − currentlyAvailable) / restoreRate` seconds, as Shopify recommends. */
export function throttleWaitMs(cost: ThrottleCost | undefined): number {
  const requested = cost?.requestedQueryCost;
  const available = cost?.throttleStatus?.currentlyAvailable;
  const rate = cost?.throttleStatus?.restoreRate;
  if (requested === undefined || available === undefined || !rate) return 1_000;
  return Math.max(MIN_THROTTLE_WAIT_MS, Math.ceil(((requested - available) / rate) * 1000));
}

function classify(
  operation: string,
  errors: {
    networkStatusCode?: number;
    message?: string;
    graphQLErrors?: ReadonlyArray<{
      message: string;
      path?: (string | number)[];
      extensions?: { code?: string };
    }>;
  },
): Error {
  const status = errors.networkStatusCode;
  const detail = errors.message ?? "no detail";
  if (status === undefined) {
    // Thrown fetch: connection refused or reset, DNS, or our timeout.
    return new ShopifyUnavailable(`Shopify did not answer ${operation}: ${detail}`, { cause: errors });
  }
  if (status >= 500 || TRANSIENT_STATUSES.has(status)) {
    return new ShopifyUnavailable(`Shopify answered ${operation} with HTTP ${status}`, { cause: errors });
  }
  const graphQLErrors = errors.graphQLErrors ?? [];
  if (graphQLErrors.some((error) => error.extensions?.code === "INTERNAL_SERVER_ERROR")) {
    return new ShopifyUnavailable(`Shopify failed internally on ${operation}`, { cause: errors });
  }
  if (status >= 400) {
    return new ShopifyRejected(`Shopify refused ${operation} with HTTP ${status}`, [
      { message: `HTTP ${status}: ${detail}`, code: `HTTP_${status}` },
    ]);
  }
  if (graphQLErrors.length === 0) {
    // HTTP 200 without data or errors, or not JSON: treat as a passing fault.
    return new ShopifyUnavailable(`Shopify gave an unusable answer to ${operation}: ${detail}`, {
      cause: errors,
    });
  }
  return new ShopifyRejected(
    `Shopify refused ${operation}: ${graphQLErrors.map((error) => error.message).join("; ")}`,
    graphQLErrors.map((error) => ({
      field: error.path?.map(String) ?? null,
      message: error.message,
      code: error.extensions?.code ?? null,
    })),
  );
}

function parseData<T>(operation: string, data: unknown, schema: z.ZodMiniType<T>): T {
  const parsed = schema.safeParse(data);
  if (!parsed.success) {
    throw new Error(`Unexpected Shopify response to ${operation}: ${parsed.error.message}`, {
      cause: parsed.error,
    });
  }
  return parsed.data;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export function rejectUserErrors(operation: string, userErrors: readonly UserError[]): ShopifyRejected {
  return new ShopifyRejected(
    `Shopify rejected ${operation}: ${userErrors.map((error) => error.message).join("; ")}`,
    userErrors,
  );
}
