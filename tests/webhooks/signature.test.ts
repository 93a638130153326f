import { createHmac } from "node:crypto";
import { describe, expect, it } from "vitest";
import { orderWebhookSchema, usageOf } from "../../shared/usage/order";
import { isAuthenticWebhook, webhookSignature } from "../../shared/usage/signature";

const secret = "shpss_test_secret";
const body = Buffer.from('{"id":820982911946154508,"discount_codes":[{"code":"70934-ab12cd-500"}]}');
const shopifySignature = createHmac("sha256", secret).update(body).digest("base64");

describe("Shopify webhook signature", () => {
  it("accepts the base64 HMAC-SHA256 of the raw body", () => {
    expect(webhookSignature(body, secret)).toBe(shopifySignature);
    expect(isAuthenticWebhook(body, shopifySignature, secret)).toBe(true);
  });

  it.each([
    ["a missing header", undefined],
    ["an empty header", ""],
    ["another secret's signature", createHmac("sha256", "other").update(body).digest("base64")],
    ["a truncated signature", shopifySignature.slice(0, 20)],
    ["the hex form", createHmac("sha256", secret).update(body).digest("hex")],
    ["base64 with extra characters", `${shopifySignature}AA`],
  ])("refuses %s", (_case, header) => {
    expect(isAuthenticWebhook(body, header, secret)).toBe(false);
  });

  it("refuses a body that was changed or re-serialised", () => {
    const reserialised = Buffer.from(JSON.stringify(JSON.parse(body.toString()), null, 1));
    const tampered = Buffer.from(body.toString().replace("500", "900"));

    expect(isAuthenticWebhook(reserialised, shopifySignature, secret)).toBe(false);
    expect(isAuthenticWebhook(tampered, shopifySignature, secret)).toBe(false);
  });

  it("refuses everything when no secret is configured", () => {
    expect(isAuthenticWebhook(body, webhookSignature(body, ""), "")).toBe(false);
  });
});

describe("codes an order redeemed", () => {
  it("reads discount_codes and discount applications, upper-cased and distinct", () => {
    const order = orderWebhookSchema.parse({
      id: 1001,
      name: "#1001",
      created_at: "2026-11-20T10:00:00+09:00",
      discount_codes: [{ code: "70934-ab12cd-500", type: "fixed_amount", amount: "500.00" }],
      discount_applications: [
        { type: "discount_code", code: "70934-AB12CD-500" },
        { type: "automatic", title: "Autumn sale" },
        { type: "discount_code", code: "SPRING30" },
      ],
    });

    expect(usageOf(order, new Date())).toEqual({
      orderId: "1001",
      orderName: "#1001",
      usedAt: "2026-11-20T01:00:00.000Z",
      codes: ["70934-AB12CD-500", "SPRING30"],
    });
  });

  it("takes the time of receipt when the order has none, and no codes when none were used", () => {
    const receivedAt = new Date("2026-11-20T00:00:00Z");
    expect(usageOf(orderWebhookSchema.parse({ id: "2", discount_codes: null }), receivedAt)).toEqual({
      orderId: "2",
      usedAt: receivedAt.toISOString(),
      codes: [],
    });
  });
});
