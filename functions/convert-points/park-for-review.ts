import { parkForReview } from "../../shared/conversion/saga";
import { adminAlerts, auditTrail, conversionRequests, couponStore, shopifyAdmin } from "../runtime";
import { sagaTask } from "./task";

export const handler = sagaTask(parkForReview, () => ({
  alerts: adminAlerts(),
  audit: auditTrail(),
  conversions: conversionRequests(),
  coupons: couponStore(),
  discounts: shopifyAdmin(),
  now: () => new Date(),
}));
