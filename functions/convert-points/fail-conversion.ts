import { failConversion } from "../../shared/conversion/saga";
import { auditTrail, conversionRecords } from "../runtime";
import { sagaTask } from "./task";

export const handler = sagaTask({ failConversion }, () => ({
  audit: auditTrail(),
  conversions: conversionRecords(),
}));
