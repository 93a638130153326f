import { refundPoints } from "../../shared/cancellation/saga";
import { auditTrail, couponStore, pointsLedger } from "../runtime";
import { cancellationStore } from "./root";
import { cancellationTask } from "./task";

export const handler = cancellationTask({ refundPoints }, () => ({
  audit: auditTrail(),
  cancellations: cancellationStore(),
  coupons: couponStore(),
  now: () => new Date(),
  pos: pointsLedger(),
}));
