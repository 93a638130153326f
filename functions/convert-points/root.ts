import { StepFunctionsSagaStarter } from "../../shared/adapters/stepfunctions/saga-starter";
import { required } from "../../shared/config";
import type { RequestDependencies } from "../../shared/conversion/request";
import type { ConversionOrder } from "../../shared/conversion/saga";
import { shopLocalDate } from "../../shared/store";
import { once } from "../once";
import { auditTrail, conversionRequests, conversionRules, env, rewardStore, sfn } from "../runtime";

/** The conversion's composition root: the API's request side and the saga's steps. */

/**
 * How long after the compensation began a coupon creation may still reach Shopify (a timed-out
 * request can land late): twice the Shopify timeout.
 */
export const creationSettleMs = () => 2 * env.SHOPIFY_TIMEOUT_MS;

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
    rules: conversionRules(),
    now: () => new Date(),
    shopDate: (instant) => shopLocalDate(instant, env.SHOP_TIMEZONE),
    waitBudgetMs: env.CONVERSION_WAIT_MS,
  }),
);
