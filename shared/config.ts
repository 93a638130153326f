import * as z from "zod/mini";
import { MAX_HISTORY_DAYS } from "./adapters/smaregi/time";
import { coercedNumber } from "./schema-formats";
import "./schema-messages";

/**
 * The service's environment, parsed once at module load of each handler. Secrets are never
 * in the environment in AWS: the `*_SECRET_ID` variables name Secrets Manager secrets; the local
 * stack may pass the values directly through the matching plain variables instead.
 */

const intFromEnv = (fallback: number) => z._default(coercedNumber().check(z.int(), z.positive()), fallback);
const optionalUrl = z.optional(z.url());

export const environmentSchema = z.object({
  STAGE: z._default(z.string(), "local"),
  SERVICE_NAME: z._default(z.string(), "loyalty"),
  AWS_REGION: z._default(z.string(), "ap-northeast-1"),

  SHOP_DOMAIN: z
    .string()
    .check(z.regex(/^[a-z0-9][a-z0-9-]*\.myshopify\.com$/, "must be <shop>.myshopify.com")),
  SHOP_TIMEZONE: z._default(z.string(), "Asia/Tokyo"),
  DEFAULT_LOCALE: z._default(z.enum(["en", "ja"]), "ja"),

  SHOPIFY_API_VERSION: z._default(z.string().check(z.regex(/^\d{4}-\d{2}$|^unstable$/)), "2026-10"),
  /** Overrides https://{SHOP_DOMAIN} for the Admin API (the local emulator). */
  SHOPIFY_ADMIN_URL: optionalUrl,
  SHOPIFY_ADMIN_CREDENTIALS: z.optional(z.string()),
  SHOPIFY_ADMIN_CREDENTIALS_SECRET_ID: z.optional(z.string()),
  SHOPIFY_APP_SECRET: z.optional(z.string()),
  SHOPIFY_APP_SECRET_SECRET_ID: z.optional(z.string()),
  SHOPIFY_TIMEOUT_MS: intFromEnv(10_000),

  SMAREGI_CONTRACT_ID: z.optional(z.string().check(z.minLength(1))),
  SMAREGI_AUTH_URL: z._default(z.url(), "https://id.smaregi.jp"),
  SMAREGI_API_URL: z._default(z.url(), "https://api.smaregi.jp"),
  SMAREGI_CLIENT_ID: z.optional(z.string()),
  SMAREGI_CLIENT_SECRET: z.optional(z.string()),
  /** A JSON secret {"clientId": "...", "clientSecret": "..."}. */
  SMAREGI_CREDENTIALS_SECRET_ID: z.optional(z.string()),
  SMAREGI_MEMBER_FIELD: z._default(z.enum(["customerCode", "customerNo"]), "customerCode"),
  POS_LOOKUP_TIMEOUT_MS: intFromEnv(3000),
  POS_WRITE_TIMEOUT_MS: intFromEnv(15000),
  // One transaction-list window (at most 30 x 24 h): a longer history costs another POS call.
  /** How long a staff point change whose answer was lost gets to land before the POS is read. */
  ADJUSTMENT_SETTLE_MS: z._default(coercedNumber().check(z.int(), z.nonnegative()), 3_000),
  POS_HISTORY_DAYS: z._default(coercedNumber().check(z.int(), z.positive(), z.lte(MAX_HISTORY_DAYS)), 30),
  POS_HISTORY_LIMIT: intFromEnv(10),

  LOYALTY_TABLE: z._default(z.string(), "loyalty"),
  AUDIT_TABLE: z._default(z.string(), "loyalty-audit"),
  /** Local endpoints; unset in AWS. */
  DYNAMODB_ENDPOINT: optionalUrl,
  STEPFUNCTIONS_ENDPOINT: optionalUrl,
  SES_ENDPOINT: optionalUrl,
  /** Per SES request; with the SDK's 3 attempts it stays inside the sending task's 15 s. */
  SES_TIMEOUT_MS: intFromEnv(4000),

  CONVERT_STATE_MACHINE_ARN: z.optional(z.string()),
  CANCEL_STATE_MACHINE_ARN: z.optional(z.string()),
  CONVERSION_WAIT_MS: intFromEnv(10_000),
  /** How long the admin's cancel request waits for the saga's outcome before answering 202. */
  CANCELLATION_WAIT_MS: intFromEnv(20_000),

  POINTS_UNIT: intFromEnv(100),
  POINTS_MINIMUM: intFromEnv(100),
  DAILY_POINTS_LIMIT: intFromEnv(10_000),
  YEN_PER_POINT: intFromEnv(1),
  CURRENCY: z._default(z.string().check(z.length(3)), "JPY"),
  COUPON_VALIDITY_DAYS: intFromEnv(365),

  EMAIL_FROM: z._default(z.email(), "loyalty@example.com"),
  ADMIN_EMAIL: z.optional(z.email()),
  /** SES configuration set every email is sent with (bounce and complaint metrics); unset locally. */
  SES_CONFIGURATION_SET: z.optional(z.string().check(z.minLength(1))),
});

export type Environment = z.infer<typeof environmentSchema>;

export class ConfigurationError extends Error {
  override readonly name = "ConfigurationError";
}

/** Parses the environment; throws one error listing every wrong value. */
export function parseEnvironment(source: NodeJS.ProcessEnv = process.env): Environment {
  const parsed = environmentSchema.safeParse(source);
  if (!parsed.success) {
    throw new ConfigurationError(`Invalid configuration:\n${z.prettifyError(parsed.error)}`);
  }
  return parsed.data;
}

/** A setting an adapter cannot work without; fails with a message naming it. */
export function required<K extends keyof Environment>(
  env: Environment,
  key: K,
  purpose: string,
): NonNullable<Environment[K]> {
  const value = env[key];
  if (value === undefined || value === null || value === "") {
    throw new ConfigurationError(`${String(key)} is not set; it is needed for ${purpose}`);
  }
  return value as NonNullable<Environment[K]>;
}
