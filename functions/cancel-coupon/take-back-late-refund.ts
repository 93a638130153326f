import { takeBackLateRefund } from "../../shared/cancellation/late-refund";
import { sagaAdjustmentDependencies } from "../admin/root";
import { couponStore } from "../runtime";
import { cancellationStore } from "./root";
import { cancellationTask } from "./task";

/** The take-back goes through the point adjustments' own rules: recorded first, sent once, reconciled. */
export const handler = cancellationTask({ takeBackLateRefund }, () => ({
  ...sagaAdjustmentDependencies(),
  coupons: couponStore(),
  cancellations: cancellationStore(),
}));
