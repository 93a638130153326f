import { DynamoCancellationResolutionStore } from "../../shared/adapters/dynamodb/cancellation-resolutions";
import {
  DynamoCancellationListings,
  DynamoCancellationReader,
  DynamoCancellationStore,
} from "../../shared/adapters/dynamodb/cancellations";
import { SesCustomerNotices } from "../../shared/adapters/ses/email";
import { StepFunctionsSagaStarter } from "../../shared/adapters/stepfunctions/saga-starter";
import type { CancellationRecord } from "../../shared/cancellation/records";
import type { CancellationRequestDependencies } from "../../shared/cancellation/request";
import type {
  CancellationResolutionDependencies,
  ResolutionSagaDependencies,
} from "../../shared/cancellation/resolution";
import { orderOf } from "../../shared/cancellation/saga";
import { required } from "../../shared/config";
import { once } from "../once";
import {
  adminAlerts,
  auditTrail,
  claimed,
  couponReader,
  couponRecords,
  couponStore,
  dynamo,
  emailSender,
  env,
  pointsReader,
  posChangeSettleMs,
  sfn,
  shopifyCustomers,
  shopifyDiscounts,
} from "../runtime";

/**
 * The cancellation's composition root: the admin's request, the saga's steps and the resolution
 * of parked cancellations. Each adapter is created on first use, so a task only pays for the
 * clients it touches.
 */

export const cancellationStore = /* @__PURE__ */ once(
  () => new DynamoCancellationStore({ client: dynamo(), tableName: env.LOYALTY_TABLE }),
);
/** Cancellations read only: the resolution and the reconciler change them in their own transactions. */
export const cancellationReader = /* @__PURE__ */ once(
  () => new DynamoCancellationReader({ client: dynamo(), tableName: env.LOYALTY_TABLE }),
);
/** The same, listed by status too (the reconciler). */
export const cancellationListings = /* @__PURE__ */ once(
  () => new DynamoCancellationListings({ client: dynamo(), tableName: env.LOYALTY_TABLE }),
);

export const cancellationRequestDependencies = /* @__PURE__ */ once(
  (): CancellationRequestDependencies => ({
    coupons: couponStore(),
    cancellations: cancellationStore(),
    saga: new StepFunctionsSagaStarter<CancellationRecord>(
      sfn(),
      required(env, "CANCEL_STATE_MACHINE_ARN", "starting the cancellation saga"),
      (cancellation) => cancellation.cancellationId,
      orderOf,
    ),
    audit: auditTrail(),
    now: () => new Date(),
    waitBudgetMs: env.CANCELLATION_WAIT_MS,
  }),
);

export const customerNotices = /* @__PURE__ */ once(() => new SesCustomerNotices(emailSender()));

/**
 * Everything a cancellation step may use, for the resolution of parked cancellations, which runs
 * the steps' logic itself (the POS only read: a resolution never moves points); each task function
 * is built with only its own step's part. Getters, so a resolution that never reads the POS never
 * builds its client (nor asks for its secret).
 */
export const cancellationDependencies = /* @__PURE__ */ once(
  (): ResolutionSagaDependencies => ({
    get pos() {
      return pointsReader();
    },
    get discounts() {
      return shopifyDiscounts();
    },
    get customers() {
      return shopifyCustomers();
    },
    get records() {
      return couponRecords();
    },
    get coupons() {
      return couponReader();
    },
    get claimed() {
      return claimed();
    },
    get cancellations() {
      return cancellationReader();
    },
    get audit() {
      return auditTrail();
    },
    get alerts() {
      return adminAlerts();
    },
    get notices() {
      return customerNotices();
    },
    defaultLocale: env.DEFAULT_LOCALE,
    now: () => new Date(),
  }),
);

export const cancellationResolutionDependencies = /* @__PURE__ */ once(
  (): CancellationResolutionDependencies => ({
    resolutions: new DynamoCancellationResolutionStore({ client: dynamo(), tableName: env.LOYALTY_TABLE }),
    saga: cancellationDependencies(),
    // A refund whose answer was lost may land up to twice the POS write timeout later.
    refundSettleMs: posChangeSettleMs(),
    // Longer than the function may run (29 s): an older pending claim died with its request.
    abandonedClaimMs: 60_000,
  }),
);
