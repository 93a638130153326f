import { confirmConversion } from "../../shared/conversion/saga";
import { auditTrail, conversionRequests, couponStore } from "../runtime";
import { sagaTask } from "./task";

export const handler = sagaTask({ confirmConversion }, () => ({
  audit: auditTrail(),
  conversions: conversionRequests(),
  coupons: couponStore(),
  now: () => new Date(),
}));
