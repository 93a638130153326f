import { deductPoints } from "../../shared/conversion/saga";
import { auditTrail, conversionCompletion, conversionRequests, couponStore, pointsLedger } from "../runtime";
import { sagaTask } from "./task";

export const handler = sagaTask({ deductPoints }, () => ({
  audit: auditTrail(),
  completion: conversionCompletion(),
  conversions: conversionRequests(),
  coupons: couponStore(),
  now: () => new Date(),
  pos: pointsLedger(),
}));
