import { cancelBodySchema } from "../../shared/cancellation/api";
import { outcomeOf, requestCancellation } from "../../shared/cancellation/request";
import { couponCodeSchema } from "../../shared/conversion/rules";
import { header, httpApi, json, parseBody, pathParameter } from "../../shared/http/api";
import { adminOf } from "../runtime";
import { cancellationRequestDependencies } from "./root";

/**
 * POST /v1/admin/coupons/{code}/cancel: an admin cancels an unused coupon; its points go back to
 * the POS. Who cancelled comes from the token, never from the body.
 */

export const handler = httpApi(async function cancelCoupon(event) {
  const admin = adminOf(event, "admin");
  const code = pathParameter(event, "code", couponCodeSchema, "invalid_code");
  const body = parseBody(event, cancelBodySchema, "invalid_cancellation");
  const record = await requestCancellation(cancellationRequestDependencies(), {
    code,
    idempotencyKey: header(event, "idempotency-key"),
    reason: body.reason,
    ...(body.note ? { note: body.note } : {}),
    admin,
  });
  const view = outcomeOf(record);
  if (view.status === "cancelled") return json(200, view);
  // Still running, or parked for an operator: the coupon's admin view shows how it ends.
  return json(202, view, {
    location: `/v1/admin/coupons/${encodeURIComponent(view.code)}`,
    "retry-after": "2",
  });
});
