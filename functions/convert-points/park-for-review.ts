import { parkForReview } from "../../shared/conversion/saga";
import { adminAlerts, auditTrail, conversionRequests, couponStore, shopifyDiscounts } from "../runtime";
import { sagaTask } from "./task";

export const handler = sagaTask({ parkForReview }, () => ({
  alerts: adminAlerts(),
  audit: auditTrail(),
  conversions: conversionRequests(),
  coupons: couponStore(),
  discounts: shopifyDiscounts(),
  now: () => new Date(),
}));
