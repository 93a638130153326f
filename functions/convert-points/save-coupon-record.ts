import { saveCouponRecord } from "../../shared/conversion/saga";
import { sagaTask } from "./task";

export const handler = sagaTask(saveCouponRecord);
