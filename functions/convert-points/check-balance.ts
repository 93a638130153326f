import { checkBalance } from "../../shared/conversion/saga";
import { auditTrail, conversionRecords, pointsReader } from "../runtime";
import { sagaTask } from "./task";

export const handler = sagaTask({ checkBalance }, () => ({
  audit: auditTrail(),
  conversions: conversionRecords(),
  now: () => new Date(),
  pos: pointsReader(),
}));
