import { parkForReview } from "../../shared/conversion/saga";
import { adminAlerts, auditTrail, conversionRecords, couponStore, shopifyDiscounts } from "../runtime";
import { sagaTask } from "./task";

export const handler = sagaTask({ parkForReview }, () => ({
  alerts: adminAlerts(),
  audit: auditTrail(),
  conversions: conversionRecords(),
  coupons: couponStore(),
  discounts: shopifyDiscounts(),
  now: () => new Date(),
}));
