import type { FunctionSpec, RouteSpec, StateMachineSpec } from "./types";

/** Shop staff: coupon search and inspection, conversions and their review, manual point adjustments. */
export const functions = {
  adminLookup: {
    entry: "functions/admin/lookup.ts",
    description:
      "Admin reads: coupon search, a coupon or conversion with its audit trail, the review queues of conversions and point adjustments",
    capabilities: ["loyaltyTableRead", "auditRead", "nameConversionExecutions"],
    timeoutSeconds: 10,
  },
  adminPointAdjustments: {
    entry: "functions/admin/point-adjustments.ts",
    description: "Admin point grants and corrections on the POS, recorded first and never blindly resent",
    // Read: the customer's conversions, coupons and adjustments own POS transactions that
    // reconciliation must not take for this adjustment's.
    capabilities: ["pos", "loyaltyTableRead", "loyaltyTableWrite", "auditAppend", "sendEmail"],
    // A POS write may stay open up to its timeout, then settle and reconcile; API Gateway stops at 30 s.
    timeoutSeconds: 29,
  },
  adminAdjustmentResolution: {
    entry: "functions/admin/adjustment-resolution.ts",
    description:
      "Admin resolution of a point adjustment parked for review: POS evidence read, the adjustment recorded applied or not_applied",
    // Reads the POS (never writes it); the adjustment and its resolution change in one transaction.
    // Read: the customer's other records own POS transactions the evidence must not take for this one.
    capabilities: ["pos", "loyaltyTableRead", "loyaltyTableWrite", "auditAppend"],
    timeoutSeconds: 29,
  },
  adminReviewResolution: {
    entry: "functions/admin/review-resolution.ts",
    description:
      "Admin resolution of a conversion parked for review: POS evidence read, coupon honoured or voided",
    // Reads the POS (never writes it), reactivates or deletes the Shopify code and saves the
    // customer's coupon record; the conversion, coupon and resolution change in one transaction.
    // `points_not_taken` gives back the day's allowance and frees the lease, as a failed saga does.
    // A coupon record that cannot be saved after the commit alerts the admins, as in the saga.
    capabilities: [
      "pos",
      "shopify",
      "loyaltyTableRead",
      "loyaltyTableWrite",
      "releaseLease",
      "auditAppend",
      "sendEmail",
    ],
    timeoutSeconds: 29,
  },
} as const satisfies Record<string, FunctionSpec>;

const read = { rate: 20, burst: 40 };

export const routes: readonly RouteSpec<keyof typeof functions>[] = [
  { method: "GET", path: "/v1/admin/coupons", function: "adminLookup", auth: "admin:viewer", throttle: read },
  {
    method: "GET",
    path: "/v1/admin/coupons/{code}",
    function: "adminLookup",
    auth: "admin:viewer",
    throttle: read,
  },
  {
    method: "GET",
    path: "/v1/admin/conversions",
    function: "adminLookup",
    auth: "admin:viewer",
    throttle: read,
  },
  {
    method: "GET",
    path: "/v1/admin/conversions/{conversionId}",
    function: "adminLookup",
    auth: "admin:viewer",
    throttle: read,
  },
  {
    method: "POST",
    path: "/v1/admin/customers/{customerId}/point-adjustments",
    function: "adminPointAdjustments",
    auth: "admin:admin",
    // Staff act by hand; a tight limit also caps the damage of a stolen admin token.
    throttle: { rate: 2, burst: 5 },
  },
  {
    method: "GET",
    path: "/v1/admin/point-adjustments",
    function: "adminLookup",
    auth: "admin:viewer",
    throttle: read,
  },
  {
    method: "POST",
    path: "/v1/admin/customers/{customerId}/point-adjustments/{adjustmentId}/resolution",
    function: "adminAdjustmentResolution",
    auth: "admin:admin",
    throttle: { rate: 2, burst: 5 },
  },
  {
    method: "POST",
    path: "/v1/admin/conversions/{conversionId}/resolution",
    function: "adminReviewResolution",
    auth: "admin:admin",
    throttle: { rate: 2, burst: 5 },
  },
];

export const stateMachines = {} as const satisfies Record<string, StateMachineSpec<keyof typeof functions>>;
