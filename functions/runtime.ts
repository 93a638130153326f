import { getSecret } from "@aws-lambda-powertools/parameters/secrets";
import { type AuthenticatedCustomer, authenticateCustomer } from "../shared/auth/customer";
import { type Environment, parseEnvironment, required } from "../shared/config";
import type { ConversionRules } from "../shared/conversion/rules";
import type { ApiEvent } from "../shared/http/api";
import { SmaregiPointsLedger } from "../shared/pos";
import { secretValue } from "../shared/secrets";

/**
 * The composition root shared by the handlers: configuration parsed once per container and the
 * adapters built lazily, so a handler only pays for the clients it uses.
 */

export const env: Environment = parseEnvironment();

function once<T>(build: () => T): () => T {
  let value: T | undefined;
  return () => {
    value ??= build();
    return value;
  };
}

export const appSecret = once(() => secretValue(env.SHOPIFY_APP_SECRET, env.SHOPIFY_APP_SECRET_SECRET_ID));

export async function customerOf(event: ApiEvent): Promise<AuthenticatedCustomer> {
  return authenticateCustomer(
    { headers: event.headers ?? {}, rawQueryString: event.rawQueryString ?? "" },
    { appSecret: await appSecret()(), shopDomain: env.SHOP_DOMAIN },
  );
}

const smaregiCredentials = once(() => {
  if (env.SMAREGI_CLIENT_ID && env.SMAREGI_CLIENT_SECRET) {
    const credentials = { clientId: env.SMAREGI_CLIENT_ID, clientSecret: env.SMAREGI_CLIENT_SECRET };
    return async () => credentials;
  }
  const secretId = env.SMAREGI_CREDENTIALS_SECRET_ID ?? "";
  return async () => {
    const value = await getSecret<{ clientId: string; clientSecret: string }>(secretId, {
      transform: "json",
      maxAge: 300,
    });
    if (!value?.clientId || !value.clientSecret)
      throw new Error(`Secret ${secretId} lacks clientId/clientSecret`);
    return { clientId: value.clientId, clientSecret: value.clientSecret };
  };
});

export const pointsLedger = once(
  () =>
    new SmaregiPointsLedger({
      authUrl: env.SMAREGI_AUTH_URL,
      apiUrl: env.SMAREGI_API_URL,
      contractId: required(env, "SMAREGI_CONTRACT_ID", "the Smaregi POS"),
      credentials: smaregiCredentials(),
      memberField: env.SMAREGI_MEMBER_FIELD,
      lookupTimeoutMs: env.POS_LOOKUP_TIMEOUT_MS,
      writeTimeoutMs: env.POS_WRITE_TIMEOUT_MS,
    }),
);

export const conversionRules: ConversionRules = {
  unit: env.POINTS_UNIT,
  minimum: env.POINTS_MINIMUM,
  dailyLimit: env.DAILY_POINTS_LIMIT,
  currencyPerPoint: env.YEN_PER_POINT,
  currency: env.CURRENCY,
  validityDays: env.COUPON_VALIDITY_DAYS,
  timeZone: env.SHOP_TIMEZONE,
};
