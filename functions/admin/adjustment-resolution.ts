import { adjustmentIdSchema } from "../../shared/admin/adjustment-records";
import { resolveAdjustmentReview } from "../../shared/admin/adjustment-resolution";
import { adjustmentResolutionBodySchema } from "../../shared/admin/api";
import { customerIdSchema } from "../../shared/auth/shopify-ids";
import { validateIdempotencyKey } from "../../shared/conversion/request";
import { header, httpApi, json, parseBody, pathParameter } from "../../shared/http/api";
import { adminOf } from "../runtime";
import { adjustmentResolutionDependencies } from "./root";

/**
 * POST /v1/admin/customers/{customerId}/point-adjustments/{adjustmentId}/resolution (admin role):
 * settles a point adjustment parked as needs_review, once per Idempotency-Key, moving no points.
 * 200 with the outcome.
 */
export const handler = httpApi(async function resolveAdjustment(event) {
  const admin = adminOf(event, "admin");
  const customerId = pathParameter(event, "customerId", customerIdSchema, "invalid_customer_id");
  const idempotencyKey = validateIdempotencyKey(header(event, "idempotency-key"));
  const adjustmentId = pathParameter(event, "adjustmentId", adjustmentIdSchema);
  const resolution = parseBody(event, adjustmentResolutionBodySchema);
  const answer = await resolveAdjustmentReview(adjustmentResolutionDependencies(), {
    admin,
    customerId,
    adjustmentId,
    idempotencyKey,
    outcome: resolution.outcome,
    note: resolution.note,
  });
  return json(200, answer);
});
