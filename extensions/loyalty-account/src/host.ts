import { createLoyaltyApi, type Locale, type LoyaltyApi, localeFrom } from "../../../customer-ui/core";

/**
 * What the extension needs from Shopify's `shopify` global, on both of its targets: the session
 * token, the customer's language, the merchant's settings and toasts.
 */
export interface Host {
  sessionToken: { get(): Promise<string> };
  localization: { language: { value: { isoCode: string } } };
  settings: { value: Record<string, unknown> };
  toast: { show(content: string): unknown };
}

/** The Customer Account API version the name query is written for (the extension's api_version). */
export const CUSTOMER_ACCOUNT_API_VERSION = "2026-07";

export const customerNameQuery = "query LoyaltyCustomerName { customer { firstName lastName } }";

export interface CustomerName {
  firstName: string | null;
  lastName: string | null;
}

export const localeOf = (host: Host): Locale => localeFrom(host.localization.language.value.isoCode);

export const setting = (host: Host, key: string): string | undefined => {
  // Settings hold only the fields the merchant filled in; read a field only when it is there.
  const settings = host.settings.value;
  const value = key in settings ? settings[key] : undefined;
  return typeof value === "string" && value.trim() !== "" ? value.trim() : undefined;
};

/** The loyalty API with Shopify's session token, fetched fresh (Shopify caches it) before each call. */
export function loyaltyApiFor(host: Host, apiUrl: string): LoyaltyApi {
  return createLoyaltyApi({
    baseUrl: apiUrl,
    auth: { kind: "session-token", getToken: () => host.sessionToken.get() },
    locale: localeOf(host),
  });
}

/** The signed-in customer's name from the Customer Account API; undefined when it cannot be read. */
export async function fetchCustomerName(): Promise<CustomerName | undefined> {
  try {
    const response = await fetch(
      `shopify:customer-account/api/${CUSTOMER_ACCOUNT_API_VERSION}/graphql.json`,
      {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ query: customerNameQuery }),
      },
    );
    if (!response.ok) return undefined;
    const body = (await response.json()) as { data?: { customer?: CustomerName | null } };
    return body.data?.customer ?? undefined;
  } catch {
    return undefined;
  }
}

/** A positive whole-number setting, or the fallback when the merchant left it empty. */
export const numberSetting = (host: Host, key: string, fallback: number): number => {
  const settings = host.settings.value;
  const value = key in settings ? Number(settings[key]) : Number.NaN;
  return Number.isInteger(value) && value > 0 ? value : fallback;
};
