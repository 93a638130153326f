import { NotFound } from "../../shared/errors";
import { httpApi, json } from "../../shared/http/api";
import { validityOf } from "../../shared/rewards/validity";
import { couponStore, customerOf } from "../runtime";

/** GET /v1/me/coupons/{code}: whether the signed-in customer's code is valid now, and why not. */

export const handler = httpApi(async (event) => {
  const customer = await customerOf(event);
  const code = event.pathParameters?.code ?? "";
  // API Gateway has decoded the path once; decoding again would misread a literal '%'.
  const coupon = code === "" ? undefined : await couponStore().getCoupon(code);
  // Another customer's code is as unknown as a code that does not exist.
  if (!coupon || coupon.customerId !== customer.customerId) {
    throw new NotFound("coupon_not_found", `No coupon ${code} for this customer`);
  }
  return json(200, validityOf(coupon, new Date()));
});
