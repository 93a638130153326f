import { reportRecordNotSaved } from "../../shared/conversion/saga";
import { adminAlerts, auditTrail } from "../runtime";
import { sagaTask } from "./task";

export const handler = sagaTask({ reportRecordNotSaved }, () => ({
  alerts: adminAlerts(),
  audit: auditTrail(),
}));
