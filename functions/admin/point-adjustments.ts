import type { AdjustmentRecord } from "../../shared/admin/adjustment-records";
import { pointAdjustmentBodySchema } from "../../shared/admin/api";
import { adjustPoints } from "../../shared/admin/point-adjustments";
import { customerIdSchema } from "../../shared/auth/shopify-ids";
import { validateIdempotencyKey } from "../../shared/conversion/request";
import { header, httpApi, json, parseBody, pathParameter } from "../../shared/http/api";
import { adminOf } from "../runtime";
import { adjustmentDependencies } from "./root";

/**
 * POST /v1/admin/customers/{customerId}/point-adjustments (admin role): adds or takes away points
 * by hand, at most once per Idempotency-Key. 201 applied; 202 parked for review; 503
 * adjustment_not_applied when the same request may safely be repeated.
 */

const view = (adjustment: AdjustmentRecord) => ({
  adjustmentId: adjustment.adjustmentId,
  status: adjustment.status,
  customerId: adjustment.customerId,
  points: adjustment.points,
  reason: adjustment.reason,
  ...(adjustment.note ? { note: adjustment.note } : {}),
  ...(adjustment.balanceAfter !== undefined ? { balanceAfter: adjustment.balanceAfter } : {}),
  ...(adjustment.transactionHeadIds ? { transactionHeadIds: adjustment.transactionHeadIds } : {}),
  ...(adjustment.reviewReason ? { reviewReason: adjustment.reviewReason } : {}),
  requestedBy: adjustment.requestedByLabel,
  createdAt: adjustment.createdAt,
});

export const handler = httpApi(async (event) => {
  const admin = adminOf(event, "admin");
  const customerId = pathParameter(event, "customerId", customerIdSchema, "invalid_customer_id");
  const idempotencyKey = validateIdempotencyKey(header(event, "idempotency-key"));
  const body = parseBody(event, pointAdjustmentBodySchema);

  const result = await adjustPoints(adjustmentDependencies(), {
    admin,
    customerId,
    idempotencyKey,
    points: body.points,
    reason: body.reason,
    ...(body.note ? { note: body.note } : {}),
  });
  return json(result.outcome === "applied" ? 201 : 202, view(result.adjustment));
});
