import { cancellationIdSchema } from "../../shared/cancellation/records";
import { resolveCancellationReview } from "../../shared/cancellation/resolution";
import { cancellationResolutionBodySchema } from "../../shared/cancellation/resolution-api";
import { validateIdempotencyKey } from "../../shared/conversion/request";
import { header, httpApi, json, parseBody, pathParameter } from "../../shared/http/api";
import { adminOf } from "../runtime";
import { cancellationResolutionDependencies } from "./root";

/**
 * POST /v1/admin/cancellations/{cancellationId}/resolution (admin role): settles a cancellation
 * parked as needs_review, once per Idempotency-Key, without moving any points. 200 with the outcome.
 */
export const handler = httpApi(async function resolveCancellation(event) {
  const admin = adminOf(event, "admin");
  const cancellationId = pathParameter(event, "cancellationId", cancellationIdSchema);
  const idempotencyKey = validateIdempotencyKey(header(event, "idempotency-key"));
  const body = parseBody(event, cancellationResolutionBodySchema);

  const answer = await resolveCancellationReview(cancellationResolutionDependencies(), {
    admin,
    cancellationId,
    idempotencyKey,
    outcome: body.outcome,
    note: body.note,
  });
  return json(200, answer);
});
