import { completeCancellation } from "../../shared/cancellation/saga";
import { auditTrail, couponStore } from "../runtime";
import { cancellationStore } from "./root";
import { cancellationTask } from "./task";

export const handler = cancellationTask({ completeCancellation }, () => ({
  audit: auditTrail(),
  cancellations: cancellationStore(),
  coupons: couponStore(),
  now: () => new Date(),
}));
