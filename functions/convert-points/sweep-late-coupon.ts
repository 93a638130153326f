import { sweepLateCoupon } from "../../shared/conversion/saga";
import { auditTrail, shopifyAdmin } from "../runtime";
import { sagaTask } from "./task";

export const handler = sagaTask(sweepLateCoupon, () => ({
  audit: auditTrail(),
  discounts: shopifyAdmin(),
  now: () => new Date(),
}));
