import { couponCodeSchema } from "../../shared/conversion/rules";
import { NotFound } from "../../shared/errors";
import { httpApi, json, pathParameter } from "../../shared/http/api";
import { validityOf } from "../../shared/rewards/validity";
import { couponReader, customerOf } from "../runtime";

/** GET /v1/me/coupons/{code}: whether the signed-in customer's code is valid now, and why not. */

export const handler = httpApi(async function couponValidity(event) {
  const customer = await customerOf(event);
  const code = pathParameter(event, "code", couponCodeSchema);
  const coupon = await couponReader().getCoupon(code);
  // Another customer's code is as unknown as a code that does not exist.
  if (!coupon || coupon.customerId !== customer.customerId) {
    throw new NotFound("coupon_not_found", `No coupon ${code} for this customer`);
  }
  return json(200, validityOf(coupon, new Date()));
});
