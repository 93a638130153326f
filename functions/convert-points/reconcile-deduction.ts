import { reconcileDeduction } from "../../shared/conversion/saga";
import { auditTrail, claimed, conversionRecords, pointsReader, posChangeSettleMs } from "../runtime";
import { sagaTask } from "./task";

export const handler = sagaTask({ reconcileDeduction }, () => ({
  audit: auditTrail(),
  claimed: claimed(),
  conversions: conversionRecords(),
  deductionSettleMs: posChangeSettleMs(),
  now: () => new Date(),
  pos: pointsReader(),
}));
