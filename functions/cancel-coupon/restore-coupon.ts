import { restoreCoupon } from "../../shared/cancellation/saga";
import { auditTrail, couponStore, shopifyDiscounts } from "../runtime";
import { cancellationStore } from "./root";
import { cancellationTask } from "./task";

export const handler = cancellationTask({ restoreCoupon }, () => ({
  audit: auditTrail(),
  cancellations: cancellationStore(),
  coupons: couponStore(),
  discounts: shopifyDiscounts(),
  now: () => new Date(),
}));
