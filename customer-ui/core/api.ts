import type * as z from "zod/mini";
import type {
  conversionViewSchema,
  couponsPageSchema,
  customerCouponSchema,
  pointsSummarySchema,
} from "../../shared/api/customer";
import type { catalogRewardSchema, catalogSchema } from "../../shared/api/rewards";

/**
 * The customer API as both customer screens call it: the account extension with Shopify's session
 * token, the theme block through the App Proxy (the proxy signs the query; the browser sends
 * nothing but the shop's cookies). Types come from the API's own schemas (type-only imports, so
 * nothing of zod reaches a bundle).
 */

export type PointsSummary = z.infer<typeof pointsSummarySchema>;
export type HistoryEntry = NonNullable<PointsSummary["history"]>[number];
export type ConversionView = z.infer<typeof conversionViewSchema>;
export type CustomerCoupon = z.infer<typeof customerCouponSchema>;
export type CouponsPage = z.infer<typeof couponsPageSchema>;
export type Catalog = z.infer<typeof catalogSchema>;
export type CatalogReward = z.infer<typeof catalogRewardSchema>;
export type Locale = "ja" | "en";

/** How the screen proves who the customer is. */
export type ApiAuth =
  /** Customer account extension: `shopify.sessionToken.get()` before each call. */
  | { kind: "session-token"; getToken: () => Promise<string> }
  /** Theme block: same-origin requests to `/apps/<subpath>`; Shopify's proxy adds the signature. */
  | { kind: "app-proxy" };

export interface LoyaltyApiOptions {
  /** The API's origin (extension) or the proxy prefix, e.g. `/apps/loyalty` (theme). */
  baseUrl: string;
  auth: ApiAuth;
  locale: Locale;
  fetch?: typeof fetch;
}

/** An answer other than 2xx, read from the API's problem+json. */
export class ApiProblem extends Error {
  override readonly name = "ApiProblem";
  constructor(
    readonly status: number,
    readonly code: string,
    detail: string,
    readonly retryAfterSeconds?: number,
  ) {
    super(detail);
  }
}

export type ConversionRequest = { points: number } | { rewardId: string; points?: number };

export interface ConversionAnswer {
  /** 201 completed, 202 still running (poll `conversion(id)`). */
  status: 201 | 202;
  view: ConversionView;
  retryAfterSeconds?: number;
}

export interface LoyaltyApi {
  points(): Promise<PointsSummary>;
  rewards(): Promise<Catalog>;
  coupons(limit?: number): Promise<CouponsPage>;
  convert(request: ConversionRequest, idempotencyKey: string): Promise<ConversionAnswer>;
  conversion(conversionId: string): Promise<ConversionView>;
}

/** Status codes the API answers without a problem body (the gateway's own 5xx, a proxy's 404). */
const codeForBareStatus = (status: number) =>
  status === 401 ? "unauthenticated" : status === 503 || status === 504 ? "unavailable" : "http_error";

async function problemOf(response: Response): Promise<ApiProblem> {
  const retryAfter = Number(response.headers.get("retry-after") ?? Number.NaN);
  const retryAfterSeconds = Number.isFinite(retryAfter) ? retryAfter : undefined;
  let body: unknown;
  try {
    body = await response.json();
  } catch {
    body = undefined;
  }
  const problem = (typeof body === "object" && body !== null ? body : {}) as Record<string, unknown>;
  const code = typeof problem.code === "string" ? problem.code : codeForBareStatus(response.status);
  const detail = typeof problem.detail === "string" ? problem.detail : `HTTP ${response.status}`;
  return new ApiProblem(response.status, code, detail, retryAfterSeconds);
}

export function createLoyaltyApi(options: LoyaltyApiOptions): LoyaltyApi {
  const base = options.baseUrl.replace(/\/+$/, "");
  const doFetch = options.fetch ?? ((input, init) => fetch(input, init));

  const request = async (path: string, init: RequestInit = {}): Promise<Response> => {
    const headers = new Headers(init.headers);
    headers.set("accept", "application/json");
    headers.set("accept-language", options.locale);
    if (options.auth.kind === "session-token") {
      let token: string;
      try {
        token = await options.auth.getToken();
      } catch {
        throw new ApiProblem(401, "unauthenticated", "No session token: the customer is not signed in");
      }
      headers.set("authorization", `Bearer ${token}`);
    }
    let response: Response;
    try {
      response = await doFetch(`${base}${path}`, {
        ...init,
        headers,
        ...(options.auth.kind === "app-proxy" ? { credentials: "same-origin" } : {}),
      });
    } catch {
      throw new ApiProblem(0, "network_error", "The request did not reach the server");
    }
    if (!response.ok) throw await problemOf(response);
    return response;
  };

  const json = async <T>(path: string, init?: RequestInit): Promise<T> =>
    (await (await request(path, init)).json()) as T;

  return {
    points: () => json<PointsSummary>("/v1/me/points"),
    rewards: () => json<Catalog>("/v1/rewards"),
    coupons: (limit = 20) => json<CouponsPage>(`/v1/me/coupons?limit=${limit}`),
    conversion: (conversionId) =>
      json<ConversionView>(`/v1/me/conversions/${encodeURIComponent(conversionId)}`),
    convert: async (body, idempotencyKey) => {
      const response = await request("/v1/me/conversions", {
        method: "POST",
        headers: { "content-type": "application/json", "idempotency-key": idempotencyKey },
        body: JSON.stringify(body),
      });
      const view = (await response.json()) as ConversionView;
      const retryAfter = Number(response.headers.get("retry-after") ?? Number.NaN);
      return {
        status: response.status === 202 ? 202 : 201,
        view,
        ...(Number.isFinite(retryAfter) ? { retryAfterSeconds: retryAfter } : {}),
      };
    },
  };
}
