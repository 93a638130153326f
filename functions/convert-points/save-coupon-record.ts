import { saveCouponRecord } from "../../shared/conversion/saga";
import { auditTrail, conversionRequests, couponRecords } from "../runtime";
import { sagaTask } from "./task";

export const handler = sagaTask({ saveCouponRecord }, () => ({
  audit: auditTrail(),
  conversions: conversionRequests(),
  records: couponRecords(),
}));
