import { deactivateCode } from "../../shared/cancellation/saga";
import { auditTrail, shopifyDiscounts } from "../runtime";
import { cancellationTask } from "./task";

export const handler = cancellationTask({ deactivateCode }, () => ({
  audit: auditTrail(),
  discounts: shopifyDiscounts(),
}));
