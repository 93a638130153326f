import type { CountedEvent } from "../../shared/operations/log-metrics";

/**
 * Types of the catalog (infra/catalog.ts). Each feature module in this folder declares its own
 * functions, routes and state machines with them; the catalog merges the features.
 */

/** What a function touches; CDK turns each into least-privilege grants and environment values. */
export type Capability =
  | "pos" // Smaregi credentials (Secrets Manager) and network access
  | "shopify" // Shopify Admin token
  | "shopifyAppSecret" // verifies customer session tokens, app proxy and webhook signatures
  | "loyaltyTableRead" // GetItem and Query on the loyalty table and its named indexes
  | "loyaltyTableWrite" // PutItem, UpdateItem and the read-back GetItem on its items; no deletes
  | "releaseLease" // DeleteItem on the customer's conversion lease (`LEASE#` items) only
  | "releaseWebhookClaim" // DeleteItem on webhook delivery claims (`WEBHOOK#` items) only
  | "auditAppend" // PutItem only on the append-only audit table
  | "auditRead"
  | "startConversion" // states:StartExecution on the conversion saga
  | "startCancellation" // states:StartExecution on the cancellation saga
  | "nameConversionExecutions" // the conversion saga's ARN, to name its executions; no permission
  | "sendEmail";

/**
 * The environment variables each capability's binding sets in AWS (`bindCapabilities` in
 * infra/constructs/loyalty-function.ts; a test holds the two together). The local stack gives each
 * bundle only the variables of its own capabilities, from this table, so a function missing a
 * capability fails locally as it would in AWS.
 */
export const capabilityVariables: Readonly<Record<Capability, readonly string[]>> = {
  pos: ["SMAREGI_CREDENTIALS_SECRET_ID"],
  shopify: ["SHOPIFY_ADMIN_CREDENTIALS_SECRET_ID"],
  shopifyAppSecret: ["SHOPIFY_APP_SECRET_SECRET_ID"],
  loyaltyTableRead: ["LOYALTY_TABLE"],
  loyaltyTableWrite: ["LOYALTY_TABLE"],
  releaseLease: ["LOYALTY_TABLE"],
  releaseWebhookClaim: ["LOYALTY_TABLE"],
  auditAppend: ["AUDIT_TABLE"],
  auditRead: ["AUDIT_TABLE"],
  startConversion: ["CONVERT_STATE_MACHINE_ARN"],
  startCancellation: ["CANCEL_STATE_MACHINE_ARN"],
  nameConversionExecutions: ["CONVERT_STATE_MACHINE_ARN"],
  sendEmail: ["EMAIL_FROM", "ADMIN_EMAIL", "SES_CONFIGURATION_SET"],
};

export interface FunctionSpec {
  /** Path of the handler module from the repository root; it exports `handler`. */
  readonly entry: string;
  readonly description: string;
  readonly capabilities: readonly Capability[];
  readonly timeoutSeconds: number;
  /** Lambda memory; `DEFAULT_MEMORY_MB` when not given. */
  readonly memoryMb?: number;
}

/** The memory of a function whose spec names none (CDK deploys it; the bench prices it). */
export const DEFAULT_MEMORY_MB = 256;

/**
 * The memory of the functions a shopper waits on: the customer routes and the conversion saga's
 * tasks. Lambda gives CPU in proportion to memory (1,769 MB is one vCPU), and their init and
 * per-request CPU are on the shopper's wait; 1,024 MB (~0.58 vCPU) gives them four times the CPU of
 * 256 MB for four times the GB-seconds, which the cost model counts (docs/performance.md). Derived
 * from Lambda's memory-to-CPU rule, not measured on Lambda.
 */
export const CUSTOMER_WAIT_MEMORY_MB = 1024;

export function functionMemoryMb(spec: FunctionSpec): number {
  return spec.memoryMb ?? DEFAULT_MEMORY_MB;
}

/**
 * Who may call a route.
 * - `customer`: Shopify session token or app proxy signature, verified in the function (HS256
 *   with the app secret, which API Gateway's JWT authorizer cannot check).
 * - `admin:viewer` / `admin:admin`: a JWT of the admin OIDC issuer (Cognito), checked by the
 *   gateway's JWT authorizer; the function checks the role (group) the route needs.
 * - `webhook`: Shopify's HMAC signature over the raw body, verified in the function.
 */
export type RouteAuth = "public" | "customer" | "admin:viewer" | "admin:admin" | "webhook";

export interface RouteSpec<F extends string = string> {
  readonly method: "GET" | "POST" | "PUT" | "PATCH" | "DELETE";
  /** API Gateway path syntax: `/v1/customers/{customerId}/points`. */
  readonly path: string;
  readonly function: F;
  readonly auth: RouteAuth;
  /** Steady-state requests per second and burst for this route. */
  readonly throttle: { readonly rate: number; readonly burst: number };
}

export interface StateMachineSpec<F extends string = string> {
  /** ASL file (JSONPath) from the repository root; `${Placeholder}`s name task function ARNs. */
  readonly definitionFile: string;
  readonly description: string;
  /** What each execution is named after, for operators looking one up. */
  readonly executionName: string;
  /** Placeholder in the ASL -> the function that runs that task. */
  readonly tasks: Readonly<Record<string, F>>;
}

/** A function run on a schedule (EventBridge), with the heartbeat its runs count. */
export interface FunctionSchedule {
  readonly rateMinutes: number;
  /** The metric each completed run counts (shared/operations/log-metrics.ts); alarmed when absent. */
  readonly heartbeat?: CountedEvent;
  /** What goes undone while it does not run, for its alarms' descriptions. */
  readonly stopped: string;
}
