import { recheckUsage } from "../../shared/cancellation/saga";
import { auditTrail, couponStore, shopifyDiscounts } from "../runtime";
import { cancellationTask } from "./task";

export const handler = cancellationTask({ recheckUsage }, () => ({
  audit: auditTrail(),
  coupons: couponStore(),
  discounts: shopifyDiscounts(),
}));
