import { beforeEach, describe, expect, it } from "vitest";
import { taro, useTestStack } from "../support/local-stack";

/**
 * Every path of the conversion saga, through the API, the real ASL on the local Step Functions
 * endpoint, the Shopify and Smaregi emulators (faults injected there) and DynamoDB Local.
 */
const t = await useTestStack();
const { stack } = t;

interface EmulatedDiscount {
  id: string;
  code: string;
  status: string;
  usageLimit: number | null;
  customerIds: string[];
}
/** The discounts Shopify holds, as its emulator's control API lists them. */
const discountsOf = async () =>
  (
    (await (await fetch(`${stack.urls.shopify}/_control/discounts`)).json()) as {
      discounts: EmulatedDiscount[];
    }
  ).discounts;
const mailTo = (address: string) => stack.ses.emails.list({ to: address });

beforeEach(async () => {
  stack.smaregi.control.reset();
  stack.smaregi.store.reset();
  stack.shopify.control.reset();
  stack.shopify.store.reset();
  stack.ses.emails.clear();
});

describe("converting points into a coupon", () => {
  it("happy path: the code is live for this customer only, points are taken once, every step is audited", async () => {
    // Act
    const { status, body } = await t.convert(taro.customerId, 500);

    // Assess
    expect(status).toBe(201);
    expect(body).toMatchObject({
      status: "completed",
      coupon: { amount: 500, currency: "JPY", pointsUsed: 500 },
      balance: { before: 1250, after: 750 },
    });
    const code = (body.coupon as { code: string }).code;
    expect(code).toMatch(/^70934-[0-9A-Z]{6}-500$/);
    expect(t.posBalance(taro.posCustomerId)).toBe(750);
    const discounts = await discountsOf();
    expect(discounts).toHaveLength(1);
    expect(discounts[0]).toMatchObject({ code, status: "ACTIVE", usageLimit: 1 });
    expect(discounts[0]?.customerIds).toEqual([`gid://shopify/Customer/${taro.customerId}`]);
    const conversionId = String(body.conversionId);
    await stack.stepFunctions.waitForExecution(
      `${stack.environment.CONVERT_STATE_MACHINE_ARN?.replace(":stateMachine:", ":execution:")}:${conversionId}`,
    );
    const trail = await t.trailOf(conversionId);
    // The balance check and the coupon creation run side by side: either may be recorded first.
    expect([...trail.slice(1, 3)].sort()).toEqual(["balance.checked:succeeded", "coupon.created:succeeded"]);
    expect([trail[0], ...trail.slice(3)]).toEqual([
      "conversion.reserved:succeeded",
      "points.deducted:succeeded",
      "conversion.completed:succeeded",
      "coupon_record.saved:succeeded",
    ]);
  });
});
