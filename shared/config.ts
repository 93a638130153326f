import { z } from "zod";
import { MAX_HISTORY_DAYS } from "./adapters/smaregi/time";

/**
 * The service's environment, parsed once at module load of each handler. Secrets are never
 * in the environment in AWS: the `*_SECRET_ID` variables name Secrets Manager secrets; the local
 * stack may pass the values directly through the matching plain variables instead.
 */

const intFromEnv = (fallback: number) => z.coerce.number().int().positive().default(fallback);
const optionalUrl = z.url().optional();

export const environmentSchema = z.object({
  STAGE: z.string().default("local"),
  SERVICE_NAME: z.string().default("loyalty"),
  AWS_REGION: z.string().default("ap-northeast-1"),

  SHOP_DOMAIN: z.string().regex(/^[a-z0-9][a-z0-9-]*\.myshopify\.com$/, "must be <shop>.myshopify.com"),
  SHOP_TIMEZONE: z.string().default("Asia/Tokyo"),
  DEFAULT_LOCALE: z.enum(["en", "ja"]).default("ja"),

  SHOPIFY_API_VERSION: z
    .string()
    .regex(/^\d{4}-\d{2}$|^unstable$/)
    .default("2026-10"),
  /** Overrides https://{SHOP_DOMAIN} for the Admin API (the local emulator). */
  SHOPIFY_ADMIN_URL: optionalUrl,
  SHOPIFY_ADMIN_CREDENTIALS: z.string().optional(),
  SHOPIFY_ADMIN_CREDENTIALS_SECRET_ID: z.string().optional(),
  SHOPIFY_APP_SECRET: z.string().optional(),
  SHOPIFY_APP_SECRET_SECRET_ID: z.string().optional(),
  SHOPIFY_TIMEOUT_MS: intFromEnv(10_000),

  SMAREGI_CONTRACT_ID: z.string().min(1).optional(),
  SMAREGI_AUTH_URL: z.url().default("https://id.smaregi.jp"),
  SMAREGI_API_URL: z.url().default("https://api.smaregi.jp"),
  SMAREGI_CLIENT_ID: z.string().optional(),
  SMAREGI_CLIENT_SECRET: z.string().optional(),
  /** A JSON secret {"clientId": "...", "clientSecret": "..."}. */
  SMAREGI_CREDENTIALS_SECRET_ID: z.string().optional(),
  SMAREGI_MEMBER_FIELD: z.enum(["customerCode", "customerNo"]).default("customerCode"),
  POS_LOOKUP_TIMEOUT_MS: intFromEnv(3000),
  POS_WRITE_TIMEOUT_MS: intFromEnv(15000),
  // One transaction-list window (at most 30 x 24 h): a longer history costs another POS call.
  /** How long a staff point change whose answer was lost gets to land before the POS is read. */
  ADJUSTMENT_SETTLE_MS: z.coerce.number().int().nonnegative().default(3_000),
  POS_HISTORY_DAYS: z.coerce.number().int().positive().max(MAX_HISTORY_DAYS).default(30),
  POS_HISTORY_LIMIT: intFromEnv(10),

  LOYALTY_TABLE: z.string().default("loyalty"),
  AUDIT_TABLE: z.string().default("loyalty-audit"),
  /** Local endpoints; unset in AWS. */
  DYNAMODB_ENDPOINT: optionalUrl,
  STEPFUNCTIONS_ENDPOINT: optionalUrl,
  SES_ENDPOINT: optionalUrl,
  /** Per SES request; with the SDK's 3 attempts it stays inside the sending task's 15 s. */
  SES_TIMEOUT_MS: intFromEnv(4000),

  CONVERT_STATE_MACHINE_ARN: z.string().optional(),
  CANCEL_STATE_MACHINE_ARN: z.string().optional(),
  CONVERSION_WAIT_MS: intFromEnv(10_000),
  /** How long the admin's cancel request waits for the saga's outcome before answering 202. */
  CANCELLATION_WAIT_MS: intFromEnv(20_000),

  POINTS_UNIT: intFromEnv(100),
  POINTS_MINIMUM: intFromEnv(100),
  DAILY_POINTS_LIMIT: intFromEnv(10_000),
  YEN_PER_POINT: intFromEnv(1),
  CURRENCY: z.string().length(3).default("JPY"),
  COUPON_VALIDITY_DAYS: intFromEnv(365),

  EMAIL_FROM: z.email().default("loyalty@example.com"),
  ADMIN_EMAIL: z.email().optional(),
  /** SES configuration set every email is sent with (bounce and complaint metrics); unset locally. */
  SES_CONFIGURATION_SET: z.string().min(1).optional(),
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
