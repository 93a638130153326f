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

/** A conversion saga task: every task appends to the audit trail. */
function task(
  file: string,
  description: string,
  capabilities: Capability[],
  timeoutSeconds = 15,
): FunctionSpec {
  return {
    entry: `functions/convert-points/${file}.ts`,
    description,
    capabilities: [...capabilities, "auditAppend"],
    timeoutSeconds,
  };
}

const functionSpecs = {
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
  conversions: {
    entry: "functions/conversions.ts",
    description: "Starts a points-to-coupon conversion and waits briefly for its outcome; reads one",
    capabilities: [
      "shopifyAppSecret",
      "loyaltyTableRead",
      "loyaltyTableWrite",
      "auditAppend",
      "startConversion",
    ],
    // API Gateway gives up after 30 s; the conversion's own wait budget is shorter.
    timeoutSeconds: 29,
  },
  coupons: {
    entry: "functions/coupons.ts",
    description: "The signed-in customer's coupons and their status",
    capabilities: ["shopifyAppSecret", "loyaltyTableRead"],
    timeoutSeconds: 10,
  },
  checkBalance: task("check-balance", "Saga: the POS balance covers the points", [
    "pos",
    "loyaltyTableWrite",
  ]),
  createCoupon: task("create-coupon", "Saga: creates (or adopts) the deterministic discount code", [
    "shopify",
  ]),
  deductPoints: task(
    "deduct-points",
    "Saga: the one, never retried, POS deduction",
    ["pos", "loyaltyTableWrite"],
    20,
  ),
  reconcileDeduction: task(
    "reconcile-deduction",
    "Saga: decides from POS transactions whether an unknown deduction happened",
    ["pos", "loyaltyTableRead"],
  ),
  discardCoupon: task("discard-coupon", "Saga compensation: deletes the conversion's code if it exists", [
    "shopify",
  ]),
  failConversion: task(
    "fail-conversion",
    "Saga: records the failure, frees the lease, gives back the day's allowance",
    ["loyaltyTableWrite"],
  ),
  parkForReview: task("park-for-review", "Saga: deactivates the code, marks needs_review, alerts admins", [
    "shopify",
    "loyaltyTableWrite",
    "sendEmail",
  ]),
  confirmConversion: task("confirm-conversion", "Saga: marks the conversion completed and the coupon live", [
    "loyaltyTableWrite",
  ]),
  saveCouponRecord: task("save-coupon-record", "Saga: writes the customer's coupon record metafield", [
    "shopify",
    "loyaltyTableWrite",
  ]),
  reportRecordNotSaved: task("report-record-not-saved", "Saga: warns that the coupon record was not saved", [
    "sendEmail",
  ]),
} as const satisfies Record<string, FunctionSpec>;

export type FunctionName = keyof typeof functionSpecs;
export const functions: Readonly<Record<FunctionName, FunctionSpec>> = functionSpecs;

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
  {
    method: "POST",
    path: "/v1/me/conversions",
    function: "conversions",
    auth: "customer",
    throttle: { rate: 10, burst: 20 },
  },
  {
    method: "GET",
    path: "/v1/me/conversions/{conversionId}",
    function: "conversions",
    auth: "customer",
    throttle: { rate: 50, burst: 100 },
  },
  {
    method: "GET",
    path: "/v1/me/coupons",
    function: "coupons",
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

/** Both stacks register every entry. */
export const stateMachines = {
  convertPoints: {
    definitionFile: "state-machines/convert-points.asl.json",
    description: "Points-to-coupon conversion saga",
    tasks: {
      CheckBalanceFunctionArn: "checkBalance",
      CreateCouponFunctionArn: "createCoupon",
      DeductPointsFunctionArn: "deductPoints",
      ReconcileDeductionFunctionArn: "reconcileDeduction",
      DiscardCouponFunctionArn: "discardCoupon",
      FailConversionFunctionArn: "failConversion",
      ParkForReviewFunctionArn: "parkForReview",
      ConfirmConversionFunctionArn: "confirmConversion",
      SaveCouponRecordFunctionArn: "saveCouponRecord",
      ReportRecordNotSavedFunctionArn: "reportRecordNotSaved",
    },
  },
} as const satisfies Record<string, StateMachineSpec>;
