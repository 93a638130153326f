import { reportEmailNotSent } from "../../shared/cancellation/saga";
import { adminAlerts, auditTrail } from "../runtime";
import { cancellationTask } from "./task";

export const handler = cancellationTask({ reportEmailNotSent }, () => ({
  alerts: adminAlerts(),
  audit: auditTrail(),
}));
