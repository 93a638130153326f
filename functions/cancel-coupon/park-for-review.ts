import { parkForReview } from "../../shared/cancellation/saga";
import { adminAlerts, auditTrail, couponStore } from "../runtime";
import { cancellationStore } from "./root";
import { cancellationTask } from "./task";

export const handler = cancellationTask({ parkForReview }, () => ({
  alerts: adminAlerts(),
  audit: auditTrail(),
  cancellations: cancellationStore(),
  coupons: couponStore(),
}));
