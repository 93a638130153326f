import { deductPoints } from "../../shared/conversion/saga";
import { auditTrail, conversionCompletion, conversionRecords, couponStore, pointsLedger } from "../runtime";
import { sagaTask } from "./task";

export const handler = sagaTask({ deductPoints }, () => ({
  audit: auditTrail(),
  completion: conversionCompletion(),
  conversions: conversionRecords(),
  coupons: couponStore(),
  now: () => new Date(),
  pos: pointsLedger(),
}));
