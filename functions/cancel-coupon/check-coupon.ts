import { checkCoupon } from "../../shared/cancellation/saga";
import { auditTrail, couponStore, pointsReader, shopifyDiscounts } from "../runtime";
import { cancellationStore } from "./root";
import { cancellationTask } from "./task";

export const handler = cancellationTask({ checkCoupon }, () => ({
  audit: auditTrail(),
  cancellations: cancellationStore(),
  coupons: couponStore(),
  discounts: shopifyDiscounts(),
  pos: pointsReader(),
}));
