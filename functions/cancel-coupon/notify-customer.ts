import { notifyCustomer } from "../../shared/cancellation/saga";
import { auditTrail, env, shopifyCustomers } from "../runtime";
import { customerNotices } from "./root";
import { cancellationTask } from "./task";

export const handler = cancellationTask({ notifyCustomer }, () => ({
  audit: auditTrail(),
  customers: shopifyCustomers(),
  defaultLocale: env.DEFAULT_LOCALE,
  notices: customerNotices(),
}));
