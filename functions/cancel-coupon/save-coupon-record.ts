import { saveCancelledRecord } from "../../shared/cancellation/saga";
import { auditTrail, couponRecords } from "../runtime";
import { cancellationTask } from "./task";

export const handler = cancellationTask({ saveCancelledRecord }, () => ({
  audit: auditTrail(),
  records: couponRecords(),
}));
