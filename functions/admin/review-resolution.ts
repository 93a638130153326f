import { validateIdempotencyKey } from "../../shared/conversion/request";
import { resolveReview } from "../../shared/conversion/resolution";
import { reviewResolutionBodySchema } from "../../shared/conversion/resolution-api";
import { conversionIdSchema } from "../../shared/conversion/rules";
import { header, httpApi, json, parseBody, pathParameter } from "../../shared/http/api";
import { adminOf } from "../runtime";
import { resolutionDependencies } from "./root";

/**
 * POST /v1/admin/conversions/{conversionId}/resolution (admin role): settles a conversion parked as
 * needs_review, once per Idempotency-Key, without moving any points. 200 with the outcome.
 */
export const handler = httpApi(async function resolveConversion(event) {
  const admin = adminOf(event, "admin");
  const conversionId = pathParameter(event, "conversionId", conversionIdSchema);
  const idempotencyKey = validateIdempotencyKey(header(event, "idempotency-key"));
  const body = parseBody(event, reviewResolutionBodySchema);

  const answer = await resolveReview(resolutionDependencies(), {
    admin,
    conversionId,
    idempotencyKey,
    outcome: body.outcome,
    note: body.note,
  });
  return json(200, answer);
});
