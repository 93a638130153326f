import type { Capability, FunctionSpec, RouteSpec, StateMachineSpec } from "./types";

/** Coupon cancellation by shop staff: the API and the cancellation saga's tasks. */

/** A cancellation saga task: every task appends to the audit trail. */
function task(
  file: string,
  description: string,
  capabilities: Capability[],
  timeoutSeconds = 15,
): FunctionSpec {
  return {
    entry: `functions/cancel-coupon/${file}.ts`,
    description,
    capabilities: [...capabilities, "auditAppend"],
    timeoutSeconds,
  };
}

export const functions = {
  cancellationLookup: {
    entry: "functions/cancel-coupon/lookup.ts",
    description: "Admin reads: cancellations by status (the review queue)",
    capabilities: ["loyaltyTableRead"],
    timeoutSeconds: 10,
  },
  couponCancellations: {
    entry: "functions/cancel-coupon/api.ts",
    description: "Cancels an unused coupon for an admin and waits briefly for the outcome",
    capabilities: ["loyaltyTableRead", "loyaltyTableWrite", "auditAppend", "startCancellation"],
    // API Gateway gives up after 30 s; the cancellation's own wait budget is shorter.
    timeoutSeconds: 29,
  },
  cancellationResolution: {
    entry: "functions/cancel-coupon/resolution.ts",
    description:
      "Admin resolution of a cancellation parked for review: POS evidence read, cancellation kept or coupon given back",
    // Reads the POS (never writes it), reactivates the Shopify code or saves the customer's coupon
    // record and emails them; the cancellation, coupon and resolution change in one transaction.
    capabilities: ["pos", "shopify", "loyaltyTableRead", "loyaltyTableWrite", "auditAppend", "sendEmail"],
    timeoutSeconds: 29,
  },
  checkCouponForCancellation: task(
    "check-coupon",
    "Cancellation: the coupon is held, unused on Shopify, and its store member",
    ["loyaltyTableRead", "shopify", "pos"],
  ),
  deactivateCouponCode: task("deactivate-code", "Cancellation: deactivates the Shopify code", ["shopify"]),
  recheckCouponUsage: task(
    "recheck-usage",
    "Cancellation: re-checks usage after the deactivation (a checkout may race)",
    ["shopify", "loyaltyTableRead"],
  ),
  markCouponUsed: task("mark-used", "Cancellation: the coupon was used; stops without refunding", [
    "loyaltyTableWrite",
  ]),
  refundCouponPoints: task(
    "refund-points",
    "Cancellation: the one, never retried, POS refund",
    ["pos", "loyaltyTableWrite"],
    20,
  ),
  reconcileRefund: task(
    "reconcile-refund",
    "Cancellation: decides from POS transactions whether an unknown refund happened",
    ["pos", "loyaltyTableRead"],
  ),
  // Minutes after the cancellation's answer, only after a refund sent twice: no one waits. A point
  // adjustment's POS write may stay open up to its timeout (15 s), then settle (twice that) and reconcile.
  takeBackLateRefund: task(
    "take-back-late-refund",
    "Cancellation, minutes later: takes back points a first refund gave after the second was sent",
    ["pos", "loyaltyTableRead", "loyaltyTableWrite", "sendEmail"],
    60,
  ),
  completeCancellation: task("complete-cancellation", "Cancellation: marks the coupon cancelled", [
    "loyaltyTableWrite",
  ]),
  saveCancelledCouponRecord: task(
    "save-coupon-record",
    "Cancellation: sets the coupon's status in the customer's metafield record",
    ["shopify"],
  ),
  reportCancelledRecordNotSaved: task(
    "report-record-not-saved",
    "Cancellation: warns that the customer's coupon record was not updated",
    ["sendEmail"],
  ),
  notifyCustomerOfCancellation: task(
    "notify-customer",
    "Cancellation: emails the customer in their language",
    ["shopify", "sendEmail"],
  ),
  reportCancellationEmailNotSent: task(
    "report-email-not-sent",
    "Cancellation: alerts the admins that the customer was not emailed",
    ["sendEmail"],
  ),
  restoreCancelledCoupon: task(
    "restore-coupon",
    "Cancellation compensation: the code live and the coupon active again",
    ["shopify", "loyaltyTableWrite"],
  ),
  parkCancellationForReview: task(
    "park-for-review",
    "Cancellation: keeps the code inactive, marks needs_review, alerts admins",
    ["loyaltyTableWrite", "sendEmail"],
  ),
} as const satisfies Record<string, FunctionSpec>;

export const routes: readonly RouteSpec<keyof typeof functions>[] = [
  {
    method: "POST",
    path: "/v1/admin/coupons/{code}/cancel",
    function: "couponCancellations",
    auth: "admin:admin",
    throttle: { rate: 5, burst: 10 },
  },
  {
    method: "GET",
    path: "/v1/admin/cancellations",
    function: "cancellationLookup",
    auth: "admin:viewer",
    throttle: { rate: 20, burst: 40 },
  },
  {
    method: "POST",
    path: "/v1/admin/cancellations/{cancellationId}/resolution",
    function: "cancellationResolution",
    auth: "admin:admin",
    // Staff act by hand, one parked cancellation at a time.
    throttle: { rate: 2, burst: 5 },
  },
];

export const stateMachines = {
  cancelCoupon: {
    definitionFile: "state-machines/cancel-coupon.asl.json",
    description: "Coupon cancellation saga: deactivate, re-check usage, refund the points, notify",
    executionName: "the cancellation id (code and Idempotency-Key)",
    tasks: {
      CheckCouponFunctionArn: "checkCouponForCancellation",
      DeactivateCodeFunctionArn: "deactivateCouponCode",
      RecheckUsageFunctionArn: "recheckCouponUsage",
      MarkUsedFunctionArn: "markCouponUsed",
      RefundPointsFunctionArn: "refundCouponPoints",
      ReconcileRefundFunctionArn: "reconcileRefund",
      CompleteCancellationFunctionArn: "completeCancellation",
      SaveCouponRecordFunctionArn: "saveCancelledCouponRecord",
      ReportRecordNotSavedFunctionArn: "reportCancelledRecordNotSaved",
      NotifyCustomerFunctionArn: "notifyCustomerOfCancellation",
      ReportEmailNotSentFunctionArn: "reportCancellationEmailNotSent",
      TakeBackLateRefundFunctionArn: "takeBackLateRefund",
      RestoreCouponFunctionArn: "restoreCancelledCoupon",
      ParkForReviewFunctionArn: "parkCancellationForReview",
    },
  },
} as const satisfies Record<string, StateMachineSpec<keyof typeof functions>>;
