import {
  type Capability,
  CUSTOMER_WAIT_MEMORY_MB,
  DEFAULT_MEMORY_MB,
  type FunctionSpec,
  type RouteSpec,
  type StateMachineSpec,
} from "./types";

/** Points-to-coupon conversion: the API, the customer's coupons and the saga's tasks. */

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
    // The conversion's answer waits on the saga.
    memoryMb: CUSTOMER_WAIT_MEMORY_MB,
  };
}

export const functions = {
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
    memoryMb: CUSTOMER_WAIT_MEMORY_MB,
  },
  coupons: {
    entry: "functions/coupons.ts",
    description: "The signed-in customer's coupons and their status",
    capabilities: ["shopifyAppSecret", "loyaltyTableRead"],
    timeoutSeconds: 10,
    memoryMb: CUSTOMER_WAIT_MEMORY_MB,
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
    "Saga: the one, never retried, POS deduction; completes the conversion once the points are taken",
    ["pos", "loyaltyTableWrite", "releaseLease"],
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
  // After the customer's answer (the conversion is already failed or compensated): no one waits.
  sweepLateCoupon: {
    ...task(
      "sweep-late-coupon",
      "Saga compensation, once a lost creation can no longer land: deletes the code if it appeared",
      ["shopify"],
    ),
    memoryMb: DEFAULT_MEMORY_MB,
  },
  // Minutes after the customer's answer (the conversion is compensated): no one waits. A point
  // adjustment's POS write may stay open up to its timeout (15 s), then settle (twice that) and reconcile.
  returnLateDeduction: {
    ...task(
      "return-late-deduction",
      "Saga compensation, minutes later: gives back points the POS took after the conversion was given up",
      ["pos", "loyaltyTableRead", "loyaltyTableWrite", "sendEmail"],
      60,
    ),
    memoryMb: DEFAULT_MEMORY_MB,
  },
  // The three ways a conversion ends free the customer's lease (releaseReservation deletes it).
  failConversion: task(
    "fail-conversion",
    "Saga: records the failure, frees the lease, gives back the day's allowance",
    ["loyaltyTableWrite", "releaseLease"],
  ),
  parkForReview: task("park-for-review", "Saga: deactivates the code, marks needs_review, alerts admins", [
    "shopify",
    "loyaltyTableWrite",
    "releaseLease",
    "sendEmail",
  ]),
  confirmConversion: task(
    "confirm-conversion",
    "Saga: completes a conversion reconciliation found deducted",
    ["loyaltyTableWrite", "releaseLease"],
  ),
  saveCouponRecord: task("save-coupon-record", "Saga: writes the customer's coupon record metafield", [
    "shopify",
    "loyaltyTableWrite",
  ]),
  reportRecordNotSaved: task("report-record-not-saved", "Saga: warns that the coupon record was not saved", [
    "sendEmail",
  ]),
} as const satisfies Record<string, FunctionSpec>;

export const routes: readonly RouteSpec<keyof typeof functions>[] = [
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

export const stateMachines = {
  convertPoints: {
    definitionFile: "state-machines/convert-points.asl.json",
    description: "Points-to-coupon conversion saga",
    executionName: "the conversion id",
    tasks: {
      CheckBalanceFunctionArn: "checkBalance",
      CreateCouponFunctionArn: "createCoupon",
      DeductPointsFunctionArn: "deductPoints",
      ReconcileDeductionFunctionArn: "reconcileDeduction",
      DiscardCouponFunctionArn: "discardCoupon",
      SweepLateCouponFunctionArn: "sweepLateCoupon",
      ReturnLateDeductionFunctionArn: "returnLateDeduction",
      FailConversionFunctionArn: "failConversion",
      ParkForReviewFunctionArn: "parkForReview",
      ConfirmConversionFunctionArn: "confirmConversion",
      SaveCouponRecordFunctionArn: "saveCouponRecord",
      ReportRecordNotSavedFunctionArn: "reportRecordNotSaved",
    },
  },
} as const satisfies Record<string, StateMachineSpec<keyof typeof functions>>;
