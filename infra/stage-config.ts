/**
 * Stage configuration: everything that differs between deployments of the service, validated
 * once at synthesis.
 *
 * Where it comes from: cdk.json's context holds a `stages` object with one entry per stage, and
 * `-c stage=<name>` picks the entry (`demo` when omitted, so `npm run synth` works with no
 * arguments). A real shop adds its own entry, e.g. `stages.production`, and deploys with
 * `npx cdk deploy -c stage=production`. A whole entry may also be given on the command line as
 * JSON (`-c stages='{"production": {...}}'`), which replaces the committed object.
 *
 * A wrong or missing value fails synthesis with a message naming the stage and the field.
 * Secrets never live here: the stack creates empty Secrets Manager secrets for operators to fill.
 */
import type { Node } from "constructs";
import { z } from "zod";

export const DEFAULT_STAGE = "demo";

const positiveInt = z.number().int().positive();

/** Allows any origin: what Shopify requires of APIs its customer account UI extensions call. */
export const ANY_ORIGIN = "*";

/** An origin as browsers send it (https, no path, no trailing slash), or `*`. */
const storefrontOrigin = z.string().refine((value) => {
  if (value === ANY_ORIGIN) return true;
  if (!URL.canParse(value)) return false;
  const url = new URL(value);
  return url.protocol === "https:" && url.origin === value;
}, `must be "${ANY_ORIGIN}" or an https origin without a path or trailing slash, e.g. https://shop.example.com`);

/** An https origin (no path), or http://localhost:<port> for a console run against a deployed pool. */
const consoleOrigin = z.string().refine((value) => {
  if (!URL.canParse(value)) return false;
  const url = new URL(value);
  const local = url.protocol === "http:" && url.hostname === "localhost";
  return (url.protocol === "https:" || local) && url.origin === value;
}, "must be an https origin without a path or trailing slash (http only for localhost), e.g. https://staff.example.com");

/** Rejects zone names Intl does not know, so a typo does not shift every daily limit by hours. */
const timeZone = z.string().refine((value) => {
  try {
    new Intl.DateTimeFormat("en", { timeZone: value });
    return true;
  } catch {
    return false;
  }
}, "must be an IANA time zone, e.g. Asia/Tokyo");

export const stageConfigSchema = z
  .object({
    /** AWS account and region; omitted means environment-agnostic (the CLI's credentials decide). */
    account: z
      .string()
      .regex(/^\d{12}$/, "must be a 12-digit AWS account id")
      .optional(),
    region: z
      .string()
      .regex(/^[a-z]{2}(-[a-z]+)+-\d$/, "must be an AWS region, e.g. ap-northeast-1")
      .optional(),

    shopDomain: z.string().regex(/^[a-z0-9][a-z0-9-]*\.myshopify\.com$/, "must be <shop>.myshopify.com"),
    shopifyApiVersion: z
      .string()
      .regex(/^\d{4}-(01|04|07|10)$/, "must be a stable Shopify version, e.g. 2026-10"),

    smaregi: z
      .object({
        contractId: z.string().min(1, "must be the Smaregi contract id"),
        environment: z.enum(["sandbox", "production"]),
        /** Which Smaregi customer field holds the member number printed on the card. */
        memberField: z.enum(["customerCode", "customerNo"]),
      })
      .strict(),

    rules: z
      .object({
        pointsUnit: positiveInt,
        pointsMinimum: positiveInt,
        dailyPointsLimit: positiveInt,
        yenPerPoint: positiveInt,
        couponValidityDays: positiveInt.max(3650),
        /** ISO 4217 code of the coupons, which must be the shop's currency; the service assumes JPY. */
        currency: z
          .string()
          .regex(/^[A-Z]{3}$/, "must be an ISO 4217 currency code, e.g. JPY")
          .optional(),
      })
      .strict()
      .refine((rules) => rules.pointsMinimum % rules.pointsUnit === 0, {
        message: "pointsMinimum must be a multiple of pointsUnit",
        path: ["pointsMinimum"],
      })
      .refine((rules) => rules.dailyPointsLimit >= rules.pointsMinimum, {
        message: "dailyPointsLimit must be at least pointsMinimum",
        path: ["dailyPointsLimit"],
      }),

    defaultLocale: z.enum(["en", "ja"]),
    shopTimeZone: timeZone,

    email: z
      .object({
        /** Sender of customer and admin mail; its SES identity must be verified in the region. */
        from: z.email(),
        /**
         * The verified SES identity that covers `from`: the domain (default, taken from `from`) or
         * the address itself. Sending permission is scoped to exactly this identity.
         */
        identity: z.string().min(1).optional(),
        /**
         * Whether the stack creates that SES identity (Easy DKIM; the DNS records to add are an
         * output). Default true; false when the identity is already verified in SES in the region.
         */
        createIdentity: z.boolean().optional(),
        /** Where operator alerts and admin notices go. */
        admin: z.email(),
      })
      .strict(),

    /**
     * Origins allowed by the API's CORS. Shopify runs customer account UI extensions in a web
     * worker whose origin may change without notice and asks for `["*"]`; that is safe here
     * because every customer route authenticates a bearer token or a signed query, never a
     * cookie. List https origins instead when only your own pages call the API directly (app
     * proxy requests are same-origin and need no entry).
     */
    storefrontOrigins: z
      .array(storefrontOrigin)
      .min(1, "list at least one storefront origin")
      .refine(
        (origins) => !origins.includes(ANY_ORIGIN) || origins.length === 1,
        `"${ANY_ORIGIN}" already allows every origin; list it alone`,
      ),

    logLevel: z.enum(["DEBUG", "INFO", "WARN", "ERROR"]).default("INFO"),

    /**
     * The staff console (CloudFront + S3) and its sign-in through Cognito's managed login. The
     * console's own CloudFront URL is always a callback and sign-out URL; `extraOrigins` adds more
     * (a custom domain in front of it). `domainPrefix` names the managed login's domain,
     * `https://<prefix>.auth.<region>.amazoncognito.com`: unique in the region, and Cognito refuses
     * prefixes containing aws, amazon or cognito.
     */
    adminConsole: z
      .object({
        domainPrefix: z
          .string()
          .regex(
            /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/,
            "must be 1-63 lower-case letters, digits and inner dashes, e.g. myshop-loyalty-staff",
          )
          .refine(
            (prefix) => !/aws|amazon|cognito/.test(prefix),
            "must not contain aws, amazon or cognito (Cognito reserves them)",
          ),
        extraOrigins: z.array(consoleOrigin).max(10).default([]),
        /**
         * Serve the console on your own host name: an ACM certificate for it in us-east-1 (where
         * CloudFront reads certificates). Viewers then need TLS 1.2 (TLSv1.2_2021); point the
         * name's DNS (CNAME or alias) at the distribution after deploy.
         */
        customDomain: z
          .object({
            name: z
              .string()
              .regex(
                /^(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/,
                "must be a lower-case host name, e.g. staff.myshop.example",
              ),
            certificateArn: z
              .string()
              .regex(
                /^arn:aws:acm:us-east-1:\d{12}:certificate\/[0-9a-f-]{36}$/,
                "must be an ACM certificate ARN in us-east-1 (CloudFront only reads certificates there)",
              ),
          })
          .strict()
          .optional(),
      })
      .strict(),

    /** CloudWatch alarms: where they are sent and the thresholds that are not "any at all". */
    alarms: z
      .object({
        /** Subscribed to the alarm topic (confirm the subscription email); defaults to email.admin. */
        email: z.email().optional(),
        /** POS call latency p95 over 15 minutes (the POS lookup timeout is 3,000 ms). */
        posLatencyP95Ms: positiveInt.max(60_000).default(2000),
        /** Shopify call latency p95 over 15 minutes (the Shopify timeout is 10,000 ms). */
        shopifyLatencyP95Ms: positiveInt.max(60_000).default(3000),
        /** Share of API requests answered 5xx, in percent, in 2 of 3 five-minute periods. */
        api5xxRatePercent: z.number().positive().max(100).default(5),
        /** API requests answered 5xx in five minutes, whatever their share (a small shop's rate). */
        api5xxCount: positiveInt.max(10_000).default(3),
      })
      .strict()
      .prefault({}),
  })
  .strict();

export type StageConfig = z.infer<typeof stageConfigSchema>;

export class StageConfigError extends Error {
  override readonly name = "StageConfigError";
}

const stageName = z.string().regex(/^[a-z][a-z0-9-]{0,19}$/, "must be lower-case letters, digits, dashes");

export interface Stage {
  readonly name: string;
  readonly config: StageConfig;
}

/** Validates one stage's raw configuration; the error lists every wrong field by path. */
export function parseStageConfig(name: string, raw: unknown): Stage {
  const parsedName = stageName.safeParse(name);
  if (!parsedName.success) {
    throw new StageConfigError(`Invalid stage name "${name}": ${z.prettifyError(parsedName.error)}`);
  }
  const parsed = stageConfigSchema.safeParse(raw);
  if (!parsed.success) {
    throw new StageConfigError(
      `Invalid configuration for stage "${name}" (cdk.json context.stages.${name}):\n${z.prettifyError(parsed.error)}`,
    );
  }
  return { name, config: parsed.data };
}

/** Reads `-c stage=<name>` (default `demo`) and that entry of the `stages` context object. */
export function loadStage(node: Node): Stage {
  const requested: unknown = node.tryGetContext("stage") ?? DEFAULT_STAGE;
  if (typeof requested !== "string") {
    throw new StageConfigError("Context value `stage` must be a stage name string");
  }
  const stages = parseStagesContext(node.tryGetContext("stages"));
  if (!Object.hasOwn(stages, requested)) {
    const known = Object.keys(stages).join(", ") || "none";
    throw new StageConfigError(
      `Unknown stage "${requested}": add it under context.stages in cdk.json (known stages: ${known})`,
    );
  }
  return parseStageConfig(requested, stages[requested]);
}

/** Context values given with `-c` arrive as strings; cdk.json's arrive as objects. */
function parseStagesContext(value: unknown): Record<string, unknown> {
  let stages: unknown = value;
  if (typeof value === "string") {
    try {
      stages = JSON.parse(value);
    } catch (error) {
      throw new StageConfigError("Context value `stages` is not valid JSON", { cause: error });
    }
  }
  if (stages === undefined) {
    throw new StageConfigError("Context value `stages` is missing: cdk.json should define context.stages");
  }
  if (typeof stages !== "object" || stages === null || Array.isArray(stages)) {
    throw new StageConfigError("Context value `stages` must be an object of stage name -> configuration");
  }
  return { ...stages };
}

/** Where alarm notifications go: `alarms.email`, else the admin address. */
export function alarmEmail(config: StageConfig): string {
  return config.alarms.email ?? config.email.admin;
}

/** Smaregi hosts differ only by environment; config.ts defaults to production hosts. */
export function smaregiUrls(environment: StageConfig["smaregi"]["environment"]): {
  readonly authUrl: string;
  readonly apiUrl: string;
} {
  return environment === "production"
    ? { authUrl: "https://id.smaregi.jp", apiUrl: "https://api.smaregi.jp" }
    : { authUrl: "https://id.smaregi.dev", apiUrl: "https://api.smaregi.dev" };
}

/** The SES identity that sending is scoped to: explicit, or the sender's domain. */
export function senderIdentity(email: StageConfig["email"]): string {
  if (email.identity) return email.identity;
  const domain = email.from.split("@")[1];
  if (!domain) throw new StageConfigError(`email.from "${email.from}" has no domain`);
  return domain;
}
