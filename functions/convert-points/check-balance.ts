import { checkBalance } from "../../shared/conversion/saga";
import { auditTrail, conversionRequests, pointsReader } from "../runtime";
import { sagaTask } from "./task";

export const handler = sagaTask({ checkBalance }, () => ({
  audit: auditTrail(),
  conversions: conversionRequests(),
  now: () => new Date(),
  pos: pointsReader(),
}));
