import { reconcileDeduction } from "../../shared/conversion/saga";
import { auditTrail, claimed, conversionRequests, pointsReader } from "../runtime";
import { deductionSettleMs } from "./root";
import { sagaTask } from "./task";

export const handler = sagaTask({ reconcileDeduction }, () => ({
  audit: auditTrail(),
  claimed: claimed(),
  conversions: conversionRequests(),
  deductionSettleMs: deductionSettleMs(),
  now: () => new Date(),
  pos: pointsReader(),
}));
