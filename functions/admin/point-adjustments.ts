import { pointAdjustmentBodySchema } from "../../shared/admin/api";
import { adjustmentView } from "../../shared/admin/inspect";
import { adjustPoints } from "../../shared/admin/point-adjustments";
import { customerIdSchema } from "../../shared/auth/shopify-ids";
import { validateIdempotencyKey } from "../../shared/conversion/request";
import { header, httpApi, json, parseBody, pathParameter } from "../../shared/http/api";
import { adminOf } from "../runtime";
import { adjustmentDependencies } from "./root";

/**
 * POST /v1/admin/customers/{customerId}/point-adjustments (admin role, at most once per
 * Idempotency-Key) adds or takes away points by hand. 201 applied; 202 parked for review; 503
 * adjustment_not_applied when the same request may be repeated. A parked one is settled by
 * `adjustment-resolution.ts`.
 */

export const handler = httpApi(async function adjustPointsByHand(event) {
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
  return json(result.outcome === "applied" ? 201 : 202, adjustmentView(result.adjustment));
});
