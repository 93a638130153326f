import { saveCouponRecord } from "../../shared/conversion/saga";
import { auditTrail, conversionRecords, couponRecords } from "../runtime";
import { sagaTask } from "./task";

export const handler = sagaTask({ saveCouponRecord }, () => ({
  audit: auditTrail(),
  conversions: conversionRecords(),
  records: couponRecords(),
}));
