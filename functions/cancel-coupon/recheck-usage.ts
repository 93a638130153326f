import { recheckUsage } from "../../shared/cancellation/saga";
import { cancellationTask } from "./task";

export const handler = cancellationTask(recheckUsage);
