import {
  adjustmentListQuerySchema,
  conversionListQuerySchema,
  couponSearchQuerySchema,
} from "../../shared/admin/api";
import {
  adjustmentView,
  conversionView,
  couponView,
  inspectConversion,
  inspectCoupon,
} from "../../shared/admin/inspect";
import { conversionIdSchema, couponCodeSchema } from "../../shared/conversion/rules";
import { InvalidRequest } from "../../shared/errors";
import { httpApi, json, pathParameter } from "../../shared/http/api";
import { invalidRequestFrom } from "../../shared/http/problem";
import { adjustmentStore, adminOf, conversionListings } from "../runtime";
import { couponSearch, inspectionDependencies } from "./root";

/**
 * Read-only admin routes (viewer or admin):
 * GET /v1/admin/coupons, GET /v1/admin/coupons/{code},
 * GET /v1/admin/conversions, GET /v1/admin/conversions/{conversionId},
 * GET /v1/admin/point-adjustments.
 */
export const handler = httpApi(async function adminLookup(event) {
  adminOf(event, "viewer");
  const now = new Date();
  const query = event.queryStringParameters ?? {};
  switch (event.routeKey) {
    case "GET /v1/admin/coupons": {
      const parsed = couponSearchQuerySchema.safeParse(query);
      if (!parsed.success) throw invalidRequestFrom(parsed.error);
      const page = await couponSearch().search(parsed.data, now);
      return json(200, {
        coupons: page.items.map((coupon) => couponView(coupon, now)),
        ...(page.nextCursor ? { nextCursor: page.nextCursor } : {}),
      });
    }
    case "GET /v1/admin/coupons/{code}":
      return json(
        200,
        await inspectCoupon(inspectionDependencies(), pathParameter(event, "code", couponCodeSchema)),
      );
    case "GET /v1/admin/conversions": {
      const parsed = conversionListQuerySchema.safeParse(query);
      if (!parsed.success) throw invalidRequestFrom(parsed.error);
      const { status, ...page } = parsed.data;
      const result = await conversionListings().listConversionsByStatus(status, page);
      return json(200, {
        conversions: result.items.map(conversionView),
        ...(result.nextCursor ? { nextCursor: result.nextCursor } : {}),
      });
    }
    case "GET /v1/admin/conversions/{conversionId}":
      return json(
        200,
        await inspectConversion(
          inspectionDependencies(),
          pathParameter(event, "conversionId", conversionIdSchema),
        ),
      );
    case "GET /v1/admin/point-adjustments": {
      const parsed = adjustmentListQuerySchema.safeParse(query);
      if (!parsed.success) throw invalidRequestFrom(parsed.error);
      const { status, ...page } = parsed.data;
      const result = await adjustmentStore().listByStatus(status, page);
      return json(200, {
        adjustments: result.items.map(adjustmentView),
        ...(result.nextCursor ? { nextCursor: result.nextCursor } : {}),
      });
    }
    default:
      throw new InvalidRequest("unknown_route", `No admin lookup for ${event.routeKey}`, 404);
  }
});
