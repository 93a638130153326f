import {
  DynamoAuditHistory,
  DynamoAuditTrail,
  DynamoConversionCompletion,
  DynamoConversionListings,
  DynamoConversionRecords,
  DynamoConversionStore,
  DynamoCouponListings,
  DynamoCouponReader,
  DynamoCouponStore,
} from "../shared/adapters/dynamodb";
import { DynamoAdjustmentStore } from "../shared/adapters/dynamodb/adjustments";
import { documentDb } from "../shared/adapters/dynamodb/client";
import { DynamoRewardStore } from "../shared/adapters/dynamodb/rewards";
import { DynamoTransactionOwners } from "../shared/adapters/dynamodb/transaction-owners";
import { cachedSecret, secretValue } from "../shared/adapters/secretsmanager/secrets";
import { sesClient } from "../shared/adapters/ses/client";
import { EmailAdminAlerts, SesEmailSender } from "../shared/adapters/ses/email";
import {
  AdminGraphql,
  ShopifyCustomerMetafields,
  ShopifyCustomers,
  ShopifyDiscountCodes,
  ShopifyDiscountIssuer,
} from "../shared/adapters/shopify";
import { ShopifyAdminAccessToken } from "../shared/adapters/shopify/access-token";
import { MetafieldCouponRecords } from "../shared/adapters/shopify/coupon-records";
import {
  type SmaregiClientOptions,
  SmaregiPointsLedger,
  SmaregiPointsReader,
  smaregiTokenSource,
} from "../shared/adapters/smaregi";
import { stepFunctions } from "../shared/adapters/stepfunctions/client";
import { type AdminPrincipal, type AdminRole, adminFromClaims, requireRole } from "../shared/auth/admin";
import { type AuthenticatedCustomer, authenticateCustomer } from "../shared/auth/customer";
import { type Environment, parseEnvironment, required } from "../shared/config";
import type { ConversionRules } from "../shared/conversion/rules";
import type { ApiEvent } from "../shared/http/api";
import { measured } from "../shared/observability";
import { claimedTransactions } from "../shared/pos/evidence";
import { InMemoryMemberDirectory } from "../shared/pos/member-directory";
import { once } from "./once";

/**
 * The base of every feature's composition root: configuration parsed once per container, the AWS
 * clients and the adapters more than one feature uses, each built lazily on first use. A feature's
 * own wiring lives in its folder's `root.ts`.
 */

export const env: Environment = parseEnvironment();

export const appSecret = /* @__PURE__ */ once(() =>
  secretValue(env.SHOPIFY_APP_SECRET, env.SHOPIFY_APP_SECRET_SECRET_ID),
);

export async function customerOf(event: ApiEvent): Promise<AuthenticatedCustomer> {
  return authenticateCustomer(
    { headers: event.headers ?? {}, rawQueryString: event.rawQueryString ?? "" },
    { appSecret: await appSecret()(), shopDomain: env.SHOP_DOMAIN },
  );
}

/** The shop staff member behind an admin route, holding at least `role` (else 403). */
export function adminOf(event: ApiEvent, role: AdminRole): AdminPrincipal {
  const principal = adminFromClaims(event.requestContext.authorizer?.jwt?.claims);
  requireRole(principal, role);
  return principal;
}

const smaregiCredentials = /* @__PURE__ */ once(() => {
  if (env.SMAREGI_CLIENT_ID && env.SMAREGI_CLIENT_SECRET) {
    const credentials = { clientId: env.SMAREGI_CLIENT_ID, clientSecret: env.SMAREGI_CLIENT_SECRET };
    return async () => credentials;
  }
  const secretId = env.SMAREGI_CREDENTIALS_SECRET_ID ?? "";
  const secret = cachedSecret(secretId);
  return async () => {
    const value = JSON.parse(await secret()) as { clientId?: unknown; clientSecret?: unknown } | null;
    if (typeof value?.clientId !== "string" || typeof value.clientSecret !== "string")
      throw new Error(`Secret ${secretId} lacks clientId/clientSecret`);
    return { clientId: value.clientId, clientSecret: value.clientSecret };
  };
});

/**
 * The Smaregi clients' options. The reader and the ledger of one container share the access token
 * and the member cache, so that a container holds one token and looks a member up once, as one
 * client would (the local stack runs every function in one process).
 */
const smaregiOptions = /* @__PURE__ */ once((): SmaregiClientOptions => {
  const options = {
    authUrl: env.SMAREGI_AUTH_URL,
    apiUrl: env.SMAREGI_API_URL,
    contractId: required(env, "SMAREGI_CONTRACT_ID", "the Smaregi POS"),
    credentials: smaregiCredentials(),
    memberField: env.SMAREGI_MEMBER_FIELD,
    lookupTimeoutMs: env.POS_LOOKUP_TIMEOUT_MS,
    writeTimeoutMs: env.POS_WRITE_TIMEOUT_MS,
    memberDirectory: new InMemoryMemberDirectory(),
  };
  return { ...options, tokens: smaregiTokenSource(options) };
});

/**
 * How long after a POS point change starts its request may still reach the POS (a timed-out
 * request can land late): twice the write timeout. A deduction, refund or point adjustment whose
 * answer was lost is concluded not applied, or sent again, only after it.
 */
export const posChangeSettleMs = () => 2 * env.POS_WRITE_TIMEOUT_MS;

/** The POS read only: members, balances, the point history (evidence of a lost change). */
export const pointsReader = /* @__PURE__ */ once(() =>
  measured("pos", new SmaregiPointsReader(smaregiOptions())),
);

/** The POS with the point change, for the functions that move points (and read around it). */
export const pointsLedger = /* @__PURE__ */ once(() =>
  measured("pos", new SmaregiPointsLedger(smaregiOptions())),
);

/** The conversion rules of the configuration; made on first use, as the adapters are. */
export const conversionRules = /* @__PURE__ */ once(
  (): ConversionRules => ({
    unit: env.POINTS_UNIT,
    minimum: env.POINTS_MINIMUM,
    dailyLimit: env.DAILY_POINTS_LIMIT,
    currencyPerPoint: env.YEN_PER_POINT,
    currency: env.CURRENCY,
    validityDays: env.COUPON_VALIDITY_DAYS,
    timeZone: env.SHOP_TIMEZONE,
  }),
);

// ---- AWS clients: one per container, pointed at local endpoints when configured; each loads its
// SDK package on its first call (shared/adapters/lazy.ts), so nothing is loaded at import ----

export const dynamo = /* @__PURE__ */ once(() =>
  documentDb({
    region: env.AWS_REGION,
    ...(env.DYNAMODB_ENDPOINT ? { endpoint: env.DYNAMODB_ENDPOINT } : {}),
  }),
);
export const sfn = /* @__PURE__ */ once(() =>
  stepFunctions({
    region: env.AWS_REGION,
    ...(env.STEPFUNCTIONS_ENDPOINT ? { endpoint: env.STEPFUNCTIONS_ENDPOINT } : {}),
  }),
);
export const ses = /* @__PURE__ */ once(() =>
  sesClient({
    region: env.AWS_REGION,
    timeoutMs: env.SES_TIMEOUT_MS,
    ...(env.SES_ENDPOINT ? { endpoint: env.SES_ENDPOINT } : {}),
  }),
);

// ---- stores ----

/** Conversions as a request makes them: reserved under the daily limit, found by idempotency key. */
export const conversionRequests = /* @__PURE__ */ once(
  () =>
    new DynamoConversionStore({
      client: dynamo(),
      tableName: env.LOYALTY_TABLE,
      dailyLimitPoints: env.DAILY_POINTS_LIMIT,
    }),
);
/** Conversions once they exist, for every function but the request's (no reservation code). */
export const conversionRecords = /* @__PURE__ */ once(
  () => new DynamoConversionRecords({ client: dynamo(), tableName: env.LOYALTY_TABLE }),
);
/** The same, listed too: by customer or by status. */
export const conversionListings = /* @__PURE__ */ once(
  () => new DynamoConversionListings({ client: dynamo(), tableName: env.LOYALTY_TABLE }),
);
/** For the steps that complete a conversion: its first completion in one write. */
export const conversionCompletion = /* @__PURE__ */ once(
  () =>
    new DynamoConversionCompletion({
      client: dynamo(),
      tableName: env.LOYALTY_TABLE,
      auditTableName: env.AUDIT_TABLE,
    }),
);
export const couponStore = /* @__PURE__ */ once(
  () => new DynamoCouponStore({ client: dynamo(), tableName: env.LOYALTY_TABLE }),
);
/** Coupons read only, for the functions that never write one. */
export const couponReader = /* @__PURE__ */ once(
  () => new DynamoCouponReader({ client: dynamo(), tableName: env.LOYALTY_TABLE }),
);
/** The same, a customer's listed too. */
export const couponListings = /* @__PURE__ */ once(
  () => new DynamoCouponListings({ client: dynamo(), tableName: env.LOYALTY_TABLE }),
);
export const auditTrail = /* @__PURE__ */ once(
  () => new DynamoAuditTrail({ client: dynamo(), tableName: env.AUDIT_TABLE }),
);
/** The audit trail read back too, for what shows or weighs a subject's history. */
export const auditHistory = /* @__PURE__ */ once(
  () => new DynamoAuditHistory({ client: dynamo(), tableName: env.AUDIT_TABLE }),
);
export const rewardStore = /* @__PURE__ */ once(
  () => new DynamoRewardStore({ client: dynamo(), tableName: env.LOYALTY_TABLE }),
);

// ---- Shopify ----

const shopifyAdminCredentials = /* @__PURE__ */ once(() =>
  secretValue(env.SHOPIFY_ADMIN_CREDENTIALS, env.SHOPIFY_ADMIN_CREDENTIALS_SECRET_ID),
);
/** The Admin API token: from the app's client credentials (or an old static token), cached. */
const shopifyAccessToken = /* @__PURE__ */ once(
  () =>
    new ShopifyAdminAccessToken({
      shopDomain: env.SHOP_DOMAIN,
      ...(env.SHOPIFY_ADMIN_URL ? { adminUrl: env.SHOPIFY_ADMIN_URL } : {}),
      secret: () => shopifyAdminCredentials()(),
      timeoutMs: env.SHOPIFY_TIMEOUT_MS,
    }),
);

/** The Admin GraphQL connection every Shopify adapter of the container shares. */
const shopifyGraphql = /* @__PURE__ */ once(
  () =>
    new AdminGraphql({
      shopDomain: env.SHOP_DOMAIN,
      apiVersion: env.SHOPIFY_API_VERSION,
      // Resolved per request, so functions without Shopify access never ask for the secret.
      accessToken: shopifyAccessToken(),
      timeoutMs: env.SHOPIFY_TIMEOUT_MS,
      ...(env.SHOPIFY_ADMIN_URL ? { adminUrl: env.SHOPIFY_ADMIN_URL } : {}),
    }),
);

/** Shopify's discount codes, looked up and changed; the conversion saga's CreateCoupon issues them. */
export const shopifyDiscounts = /* @__PURE__ */ once(() =>
  measured("shopify", new ShopifyDiscountCodes(shopifyGraphql())),
);
export const shopifyDiscountIssuer = /* @__PURE__ */ once(() =>
  measured("shopify", new ShopifyDiscountIssuer(shopifyGraphql())),
);
/** Shopify's customers: the cancellation email's address and locale. */
export const shopifyCustomers = /* @__PURE__ */ once(() =>
  measured("shopify", new ShopifyCustomers(shopifyGraphql())),
);
/** Shopify's customer metafields: where the coupon record lives. */
export const shopifyMetafields = /* @__PURE__ */ once(() =>
  measured("shopify", new ShopifyCustomerMetafields(shopifyGraphql())),
);

/** The customer's coupon record in Shopify, as issuance and cancellation write it. */
export const couponRecords = /* @__PURE__ */ once(() => new MetafieldCouponRecords(shopifyMetafields()));

export const emailSender = /* @__PURE__ */ once(
  () => new SesEmailSender(ses(), env.EMAIL_FROM, env.SES_CONFIGURATION_SET),
);
export const adminAlerts = /* @__PURE__ */ once(
  () => new EmailAdminAlerts(emailSender(), env.ADMIN_EMAIL, env.STAGE),
);

export const adjustmentStore = /* @__PURE__ */ once(
  () => new DynamoAdjustmentStore({ client: dynamo(), tableName: env.LOYALTY_TABLE }),
);

/**
 * POS transactions the service's records own, for every reader of POS evidence: read from the
 * customer's records without their stores, which a reader that changes none of them would carry.
 */
export const claimed = /* @__PURE__ */ once(() =>
  claimedTransactions(new DynamoTransactionOwners({ client: dynamo(), tableName: env.LOYALTY_TABLE })),
);
