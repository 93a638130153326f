import { returnLateDeduction } from "../../shared/conversion/late-deduction";
import { sagaAdjustmentDependencies } from "../admin/root";
import { conversionListings } from "../runtime";
import { sagaTask } from "./task";

/** The return goes through the point adjustments' own rules: recorded first, sent once, reconciled. */
export const handler = sagaTask({ returnLateDeduction }, () => ({
  ...sagaAdjustmentDependencies(),
  conversions: conversionListings(),
}));
