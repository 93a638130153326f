import { discardCoupon } from "../../shared/conversion/saga";
import { auditTrail, shopifyDiscounts } from "../runtime";
import { creationSettleMs } from "./root";
import { sagaTask } from "./task";

export const handler = sagaTask({ discardCoupon }, () => ({
  audit: auditTrail(),
  creationSettleMs: creationSettleMs(),
  discounts: shopifyDiscounts(),
  now: () => new Date(),
}));
