import { sweepLateCoupon } from "../../shared/conversion/saga";
import { auditTrail, shopifyDiscounts } from "../runtime";
import { sagaTask } from "./task";

export const handler = sagaTask({ sweepLateCoupon }, () => ({
  audit: auditTrail(),
  discounts: shopifyDiscounts(),
  now: () => new Date(),
}));
