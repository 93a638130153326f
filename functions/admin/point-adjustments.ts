import type { AdjustmentRecord } from "../../shared/admin/adjustment-records";
import { customerIdSchema, pointAdjustmentBodySchema } from "../../shared/admin/api";
import { adjustPoints } from "../../shared/admin/point-adjustments";
import { validateIdempotencyKey } from "../../shared/conversion/request";
import { header, httpApi, json, parseBody } from "../../shared/http/api";
import { invalidRequestFrom } from "../../shared/http/problem";
import { adminOf } from "../runtime";
import { adjustmentDependencies } from "./dependencies";

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
  const customerId = customerIdSchema.safeParse(event.pathParameters?.customerId ?? "");
  if (!customerId.success) throw invalidRequestFrom(customerId.error, "invalid_customer_id");
  const idempotencyKey = validateIdempotencyKey(header(event, "idempotency-key"));
  const body = parseBody(event, pointAdjustmentBodySchema);

  const result = await adjustPoints(adjustmentDependencies(), {
    admin,
    customerId: customerId.data,
    idempotencyKey,
    points: body.points,
    reason: body.reason,
    ...(body.note ? { note: body.note } : {}),
  });
  return json(result.outcome === "applied" ? 201 : 202, view(result.adjustment));
});
