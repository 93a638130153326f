import { createCoupon } from "../../shared/conversion/saga";
import { auditTrail, shopifyDiscountIssuer } from "../runtime";
import { sagaTask } from "./task";

export const handler = sagaTask({ createCoupon }, () => ({
  audit: auditTrail(),
  discountIssuer: shopifyDiscountIssuer(),
  now: () => new Date(),
}));
