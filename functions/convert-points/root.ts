import { StepFunctionsSagaStarter } from "../../shared/adapters/stepfunctions/saga-starter";
import { required } from "../../shared/config";
import type { RequestDependencies } from "../../shared/conversion/request";
import type { ConversionOrder, SagaDependencies } from "../../shared/conversion/saga";
import { shopLocalDate } from "../../shared/store";
import { once } from "../once";
import {
  adminAlerts,
  auditTrail,
  claimed,
  conversionRequests,
  conversionRules,
  couponRecords,
  couponStore,
  env,
  pointsLedger,
  rewardStore,
  sfn,
  shopifyAdmin,
} from "../runtime";

/** The conversion's composition root: the API's request side and the saga's steps. */

export const sagaDependencies = /* @__PURE__ */ once(
  (): SagaDependencies => ({
    pos: pointsLedger(),
    discounts: shopifyAdmin(),
    records: couponRecords(),
    conversions: conversionRequests(),
    coupons: couponStore(),
    claimed: claimed(),
    audit: auditTrail(),
    alerts: adminAlerts(),
    now: () => new Date(),
    deductionSettleMs: 2 * env.POS_WRITE_TIMEOUT_MS,
  }),
);

export const conversionRequestDependencies = /* @__PURE__ */ once(
  (): RequestDependencies => ({
    requests: conversionRequests(),
    rewards: rewardStore(),
    saga: new StepFunctionsSagaStarter<ConversionOrder>(
      sfn(),
      required(env, "CONVERT_STATE_MACHINE_ARN", "starting the conversion saga"),
      (order) => order.conversionId,
    ),
    audit: auditTrail(),
    rules: conversionRules,
    now: () => new Date(),
    shopDate: (instant) => shopLocalDate(instant, env.SHOP_TIMEZONE),
    waitBudgetMs: env.CONVERSION_WAIT_MS,
  }),
);
