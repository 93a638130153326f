import { confirmConversion } from "../../shared/conversion/saga";
import { auditTrail, conversionCompletion, conversionRequests, couponStore } from "../runtime";
import { sagaTask } from "./task";

export const handler = sagaTask({ confirmConversion }, () => ({
  audit: auditTrail(),
  completion: conversionCompletion(),
  conversions: conversionRequests(),
  coupons: couponStore(),
  now: () => new Date(),
}));
