import { DynamoCancellationStore } from "../../shared/cancellation/dynamodb";
import { SesCustomerNotices } from "../../shared/cancellation/email";
import type { CancellationRequestDependencies } from "../../shared/cancellation/request";
import type { CancellationDependencies } from "../../shared/cancellation/saga";
import { StepFunctionsCancellationStarter } from "../../shared/cancellation/saga-starter";
import { required } from "../../shared/config";
import { MetafieldCouponRecords } from "../../shared/conversion/coupon-record";
import {
  adminAlerts,
  auditTrail,
  claimed,
  couponStore,
  dynamo,
  env,
  pointsLedger,
  ses,
  sfn,
  shopifyAdmin,
} from "../runtime";

/**
 * The cancellation's composition root, built on the shared one: each adapter is created on first
 * use, so a task only pays for the clients it touches.
 */

function once<T>(build: () => T): () => T {
  let value: T | undefined;
  return () => {
    value ??= build();
    return value;
  };
}

export const cancellationStore = once(
  () => new DynamoCancellationStore({ client: dynamo(), tableName: env.LOYALTY_TABLE }),
);

export const cancellationRequestDependencies = once(
  (): CancellationRequestDependencies => ({
    coupons: couponStore(),
    cancellations: cancellationStore(),
    saga: new StepFunctionsCancellationStarter(
      sfn(),
      required(env, "CANCEL_STATE_MACHINE_ARN", "starting the cancellation saga"),
    ),
    audit: auditTrail(),
    now: () => new Date(),
    waitBudgetMs: env.CANCELLATION_WAIT_MS,
  }),
);

/** Getters, so a task that never refunds never builds the POS client (nor asks for its secret). */
export const cancellationDependencies = once(
  (): CancellationDependencies => ({
    get pos() {
      return pointsLedger();
    },
    get discounts() {
      return shopifyAdmin();
    },
    get customers() {
      return shopifyAdmin();
    },
    get records() {
      return new MetafieldCouponRecords(shopifyAdmin());
    },
    get coupons() {
      return couponStore();
    },
    get claimed() {
      return claimed();
    },
    get cancellations() {
      return cancellationStore();
    },
    get audit() {
      return auditTrail();
    },
    get alerts() {
      return adminAlerts();
    },
    get notices() {
      return new SesCustomerNotices(ses(), env.EMAIL_FROM, env.SES_CONFIGURATION_SET);
    },
    defaultLocale: env.DEFAULT_LOCALE,
    now: () => new Date(),
  }),
);
