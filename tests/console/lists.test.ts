import { describe, expect, it } from "vitest";
import { stepFunctionsLink } from "../../console/src/links";
import {
  adjustmentReasons,
  adjustmentResolutions,
  cancellationResolutions,
  cancelReasons,
  conversionResolutions,
  couponFilters,
  couponTypes,
  customerIdOf,
} from "../../console/src/lists";
import {
  adjustmentReasonSchema,
  adjustmentResolutionOutcomeSchema,
} from "../../shared/admin/adjustment-records";
import { couponFilterSchema } from "../../shared/admin/coupon-search";
import { parseCustomerId } from "../../shared/auth/shopify-ids";
import { cancelReasonSchema } from "../../shared/cancellation/records";
import { cancellationResolutionOutcomeSchema } from "../../shared/cancellation/resolution-records";
import { resolutionOutcomeSchema } from "../../shared/conversion/resolution-records";
import { couponTypeSchema } from "../../shared/rewards/coupon";

/** The console repeats the API's fixed lists (its bundle carries no zod): they must not drift. */
describe("the console's lists", () => {
  it.each([
    ["cancel reasons", cancelReasons, cancelReasonSchema.options],
    ["adjustment reasons", adjustmentReasons, adjustmentReasonSchema.options],
    ["coupon filters", couponFilters, couponFilterSchema.options],
    ["coupon types", couponTypes, couponTypeSchema.options],
    ["conversion resolutions", conversionResolutions, resolutionOutcomeSchema.options],
    ["cancellation resolutions", cancellationResolutions, cancellationResolutionOutcomeSchema.options],
    ["adjustment resolutions", adjustmentResolutions, adjustmentResolutionOutcomeSchema.options],
  ])("offers exactly the API's %s", (_name, offered, accepted) => {
    // Assess
    expect([...offered]).toEqual([...accepted]);
  });

  it.each([
    "8840734670934",
    " gid://shopify/Customer/8840734670934 ",
    "gid://shopify/Customer/0",
    "gid://shopify/Order/8840734670934",
    "12345678901234567890",
    "123456789012345678901",
    "88407346709x",
    "",
  ])("reads customer id %j as the API does", (input) => {
    // Assess
    expect(customerIdOf(input)).toBe(parseCustomerId(input.trim()));
  });
});

describe("the execution link", () => {
  it("opens the execution in the Step Functions console of its own region", () => {
    // Prepare
    const arn =
      "arn:aws:states:ap-northeast-1:123456789012:execution:Loyalty-production-convertPoints:01JB2C3D4E5F";

    // Act
    const link = new URL(stepFunctionsLink(arn));

    // Assess
    expect(link.host).toBe("ap-northeast-1.console.aws.amazon.com");
    expect(link.searchParams.get("region")).toBe("ap-northeast-1");
    expect(link.hash).toBe(`#/v2/executions/details/${encodeURIComponent(arn)}`);
  });
});
