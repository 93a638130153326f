import { deductPoints } from "../../shared/conversion/saga";
import { auditTrail, conversionRequests, couponStore, pointsLedger } from "../runtime";
import { sagaTask } from "./task";

export const handler = sagaTask({ deductPoints }, () => ({
  audit: auditTrail(),
  conversions: conversionRequests(),
  coupons: couponStore(),
  now: () => new Date(),
  pos: pointsLedger(),
}));
