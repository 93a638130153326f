import { reconcileRefund } from "../../shared/cancellation/saga";
import { auditTrail, claimed, pointsReader, posChangeSettleMs } from "../runtime";
import { cancellationStore } from "./root";
import { cancellationTask } from "./task";

export const handler = cancellationTask({ reconcileRefund }, () => ({
  audit: auditTrail(),
  cancellations: cancellationStore(),
  claimed: claimed(),
  now: () => new Date(),
  pos: pointsReader(),
  refundSettleMs: posChangeSettleMs(),
}));
