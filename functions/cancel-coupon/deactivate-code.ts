import { deactivateCode } from "../../shared/cancellation/saga";
import { auditTrail, shopifyAdmin } from "../runtime";
import { cancellationTask } from "./task";

export const handler = cancellationTask(deactivateCode, () => ({
  audit: auditTrail(),
  discounts: shopifyAdmin(),
}));
