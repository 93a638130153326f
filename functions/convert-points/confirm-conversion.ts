import { confirmConversion } from "../../shared/conversion/saga";
import { auditTrail, conversionCompletion, conversionRecords, couponStore } from "../runtime";
import { sagaTask } from "./task";

export const handler = sagaTask({ confirmConversion }, () => ({
  audit: auditTrail(),
  completion: conversionCompletion(),
  conversions: conversionRecords(),
  coupons: couponStore(),
  now: () => new Date(),
}));
