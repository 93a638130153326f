import { discardCoupon } from "../../shared/conversion/saga";
import { auditTrail, shopifyAdmin } from "../runtime";
import { creationSettleMs } from "./root";
import { sagaTask } from "./task";

export const handler = sagaTask(discardCoupon, () => ({
  audit: auditTrail(),
  creationSettleMs: creationSettleMs(),
  discounts: shopifyAdmin(),
  now: () => new Date(),
}));
