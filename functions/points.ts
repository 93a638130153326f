import { assertSameCustomer } from "../shared/auth/customer";
import { customerIdSchema } from "../shared/auth/shopify-ids";
import { PosUnavailable } from "../shared/errors";
import { header, httpApi, json, pathParameter } from "../shared/http/api";
import { logAlert } from "../shared/observability";
import { localeFromAcceptLanguage } from "../shared/points/display";
import { getPointsSummary } from "../shared/points/summary";
import { customerOf, env, pointsReader } from "./runtime";

/**
 * GET /v1/me/points and GET /v1/customers/{customerId}/points: the signed-in customer's live
 * store balance, expiry, rank and recent history.
 */
export const handler = httpApi(async function points(event) {
  const customer = await customerOf(event);
  if (event.pathParameters?.customerId !== undefined) {
    assertSameCustomer(customer, pathParameter(event, "customerId", customerIdSchema, "invalid_customer_id"));
  }
  const locale = localeFromAcceptLanguage(header(event, "accept-language"), env.DEFAULT_LOCALE);
  try {
    const summary = await getPointsSummary(pointsReader(), customer, {
      locale,
      timeZone: env.SHOP_TIMEZONE,
      historyDays: env.POS_HISTORY_DAYS,
      historyLimit: env.POS_HISTORY_LIMIT,
    });
    return json(200, summary, { "content-language": locale, vary: "Accept-Language, Authorization" });
  } catch (error) {
    if (error instanceof PosUnavailable) {
      logAlert("pos_unavailable", "The POS could not be reached for a balance lookup", {
        customerId: customer.customerId,
      });
    }
    throw error;
  }
});
