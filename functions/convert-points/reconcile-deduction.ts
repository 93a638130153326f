import { reconcileDeduction } from "../../shared/conversion/saga";
import { auditTrail, claimed, conversionRequests, pointsReader, posChangeSettleMs } from "../runtime";
import { sagaTask } from "./task";

export const handler = sagaTask({ reconcileDeduction }, () => ({
  audit: auditTrail(),
  claimed: claimed(),
  conversions: conversionRequests(),
  deductionSettleMs: posChangeSettleMs(),
  now: () => new Date(),
  pos: pointsReader(),
}));
