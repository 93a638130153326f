import { reportRecordNotSaved } from "../../shared/cancellation/saga";
import { adminAlerts, auditTrail } from "../runtime";
import { cancellationTask } from "./task";

export const handler = cancellationTask({ reportRecordNotSaved }, () => ({
  alerts: adminAlerts(),
  audit: auditTrail(),
}));
