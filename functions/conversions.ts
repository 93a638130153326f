import { conversionBodySchema } from "../shared/api/customer";
import { ConversionRefused, getConversionOf, requestConversion, viewOf } from "../shared/conversion/request";
import { conversionIdSchema } from "../shared/conversion/rules";
import { header, httpApi, json, parseBody, pathParameter } from "../shared/http/api";
import { conversionRequestDependencies } from "./convert-points/root";
import { conversionRequests, customerOf } from "./runtime";

/**
 * POST /v1/me/conversions: converts points (or a reward of the catalog) into a coupon for the
 * signed-in customer.
 * GET /v1/me/conversions/{conversionId}: where a conversion stands.
 */

const location = (conversionId: string) => `/v1/me/conversions/${conversionId}`;

export const handler = httpApi(async function conversions(event) {
  const customer = await customerOf(event);
  if (event.pathParameters?.conversionId !== undefined) {
    const conversionId = pathParameter(event, "conversionId", conversionIdSchema);
    const record = await getConversionOf(conversionRequests(), customer.customerId, conversionId);
    return json(200, viewOf(record));
  }

  const body = parseBody(event, conversionBodySchema, "invalid_points");
  const record = await requestConversion(conversionRequestDependencies(), {
    customerId: customer.customerId,
    customerGid: customer.customerGid,
    idempotencyKey: header(event, "idempotency-key"),
    ...(body.points !== undefined ? { points: body.points } : {}),
    ...(body.rewardId !== undefined ? { rewardId: body.rewardId } : {}),
  });
  const view = viewOf(record);
  switch (view.status) {
    case "completed":
      return json(201, view, { location: location(view.conversionId) });
    case "failed":
      throw new ConversionRefused(
        view.failure?.code ?? "conversion_failed",
        view.failure?.detail ?? "",
        view.conversionId,
      );
    default:
      // Still running (or parked for a person): the customer can come back to the status URL.
      return json(202, view, { location: location(view.conversionId), "retry-after": "2" });
  }
});
