import * as z from "zod/mini";
import type * as zc from "zod/v4/core";
import { MAX_HISTORY_DAYS } from "./adapters/smaregi/time";
import { coercedNumber } from "./schema-formats";

/**
 * The service's environment, parsed once at module load of each handler. Secrets are never
 * in the environment in AWS: the `*_SECRET_ID` variables name Secrets Manager secrets; the local
 * stack may pass the values directly through the matching plain variables instead.
 *
 * Every check says in its own words what a variable must be, so an operator reads the same
 * message in every function: zod's English messages (`./schema-messages`) are loaded only where
 * a refused value reaches a person as an answer (the HTTP functions), not in every bundle (~3 KB
 * each). URLs are what `URL` parses, without zod's URL schema, which nothing else in most
 * functions uses (~1.3 KB each).
 */

const WHOLE_NUMBER = "must be a whole number";
const number = (fallback: number, ...checks: zc.$ZodCheck<number>[]) =>
  z._default(
    coercedNumber({ error: WHOLE_NUMBER }).check(z.int({ error: WHOLE_NUMBER }), ...checks),
    fallback,
  );
const intFromEnv = (fallback: number) => number(fallback, z.positive("must be above 0"));
const url = () => z.string().check(z.refine((value) => URL.canParse(value), "must be a URL"));
const optionalUrl = z.optional(url());
const email = () => z.email("must be an email address");
const oneOf = <const T extends readonly [string, ...string[]]>(values: T) =>
  z.enum(values, { error: `must be one of ${values.join(", ")}` });
const notEmpty = () => z.string().check(z.minLength(1, "must not be empty"));

export const environmentSchema = z.object({
  STAGE: z._default(z.string(), "local"),
  SERVICE_NAME: z._default(z.string(), "loyalty"),
  AWS_REGION: z._default(z.string(), "ap-northeast-1"),

  SHOP_DOMAIN: z
    .string({ error: "is required: the shop's <shop>.myshopify.com domain" })
    .check(z.regex(/^[a-z0-9][a-z0-9-]*\.myshopify\.com$/, "must be <shop>.myshopify.com")),
  SHOP_TIMEZONE: z._default(z.string(), "Asia/Tokyo"),
  DEFAULT_LOCALE: z._default(oneOf(["en", "ja"]), "ja"),

  SHOPIFY_API_VERSION: z._default(
    z.string().check(z.regex(/^\d{4}-\d{2}$|^unstable$/, "must be a version such as 2026-10, or unstable")),
    "2026-10",
  ),
  /** Overrides https://{SHOP_DOMAIN} for the Admin API (the local emulator). */
  SHOPIFY_ADMIN_URL: optionalUrl,
  SHOPIFY_ADMIN_CREDENTIALS: z.optional(z.string()),
  SHOPIFY_ADMIN_CREDENTIALS_SECRET_ID: z.optional(z.string()),
  SHOPIFY_APP_SECRET: z.optional(z.string()),
  SHOPIFY_APP_SECRET_SECRET_ID: z.optional(z.string()),
  SHOPIFY_TIMEOUT_MS: intFromEnv(10_000),

  SMAREGI_CONTRACT_ID: z.optional(notEmpty()),
  SMAREGI_AUTH_URL: z._default(url(), "https://id.smaregi.jp"),
  SMAREGI_API_URL: z._default(url(), "https://api.smaregi.jp"),
  SMAREGI_CLIENT_ID: z.optional(z.string()),
  SMAREGI_CLIENT_SECRET: z.optional(z.string()),
  /** A JSON secret {"clientId": "...", "clientSecret": "..."}. */
  SMAREGI_CREDENTIALS_SECRET_ID: z.optional(z.string()),
  SMAREGI_MEMBER_FIELD: z._default(oneOf(["customerCode", "customerNo"]), "customerCode"),
  POS_LOOKUP_TIMEOUT_MS: intFromEnv(3000),
  POS_WRITE_TIMEOUT_MS: intFromEnv(15000),
  // One transaction-list window (at most 30 x 24 h): a longer history costs another POS call.
  /** How long a staff point change whose answer was lost gets to land before the POS is read. */
  ADJUSTMENT_SETTLE_MS: number(3_000, z.nonnegative("must be 0 or more")),
  POS_HISTORY_DAYS: number(
    30,
    z.positive("must be above 0"),
    z.lte(MAX_HISTORY_DAYS, `must be at most ${MAX_HISTORY_DAYS}`),
  ),
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
  CURRENCY: z._default(z.string().check(z.length(3, "must be a three-letter currency code")), "JPY"),
  COUPON_VALIDITY_DAYS: intFromEnv(365),

  EMAIL_FROM: z._default(email(), "loyalty@example.com"),
  ADMIN_EMAIL: z.optional(email()),
  /** SES configuration set every email is sent with (bounce and complaint metrics); unset locally. */
  SES_CONFIGURATION_SET: z.optional(notEmpty()),
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
