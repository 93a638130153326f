/**
 * The single source of truth for the service's Lambdas, HTTP routes and state machines.
 * The CDK stack and the local stack are both built from these tables, so a route or task added
 * here exists in both places.
 */

/** What a function touches; CDK turns each into least-privilege grants and environment values. */
export type Capability =
  | "pos" // Smaregi credentials (Secrets Manager) and network access
  | "shopify" // Shopify Admin token
  | "shopifyAppSecret" // verifies customer session tokens, app proxy and webhook signatures
  | "loyaltyTableRead"
  | "loyaltyTableWrite"
  | "auditAppend" // PutItem only on the append-only audit table
  | "auditRead"
  | "startConversion" // states:StartExecution / DescribeExecution on the conversion saga
  | "sendEmail";

export interface FunctionSpec {
  /** Path of the handler module from the repository root; it exports `handler`. */
  readonly entry: string;
  readonly description: string;
  readonly capabilities: readonly Capability[];
  readonly timeoutSeconds: number;
  readonly memoryMb?: number;
}

export const functions = {
  health: {
    entry: "functions/health.ts",
    description: "Liveness of the API",
    capabilities: [],
    timeoutSeconds: 3,
  },
  points: {
    entry: "functions/points.ts",
    description: "A signed-in customer's live POS point balance, expiry, rank and history",
    capabilities: ["pos", "shopifyAppSecret"],
    timeoutSeconds: 10,
  },
} as const satisfies Record<string, FunctionSpec>;

export type FunctionName = keyof typeof functions;

/**
 * Who may call a route. Customer routes verify Shopify session tokens / app proxy signatures in
 * the function (HS256 with the app secret, which API Gateway's JWT authorizer cannot check).
 */
export type RouteAuth = "public" | "customer";

export interface RouteSpec {
  readonly method: "GET" | "POST" | "PUT" | "PATCH" | "DELETE";
  /** API Gateway path syntax: `/v1/customers/{customerId}/points`. */
  readonly path: string;
  readonly function: FunctionName;
  readonly auth: RouteAuth;
  /** Steady-state requests per second and burst for this route. */
  readonly throttle: { readonly rate: number; readonly burst: number };
}

export const routes: readonly RouteSpec[] = [
  { method: "GET", path: "/health", function: "health", auth: "public", throttle: { rate: 10, burst: 20 } },
  {
    method: "GET",
    path: "/v1/me/points",
    function: "points",
    auth: "customer",
    throttle: { rate: 50, burst: 100 },
  },
  {
    method: "GET",
    path: "/v1/customers/{customerId}/points",
    function: "points",
    auth: "customer",
    throttle: { rate: 50, burst: 100 },
  },
];

export interface StateMachineSpec {
  /** ASL file (JSONPath) from the repository root; `${Placeholder}`s name task function ARNs. */
  readonly definitionFile: string;
  readonly description: string;
  /** Placeholder in the ASL -> the function that runs that task. */
  readonly tasks: Readonly<Record<string, FunctionName>>;
}

/** Filled in by the conversion saga; both stacks register every entry. */
export const stateMachines: Readonly<Record<string, StateMachineSpec>> = {};
