import { randomUUID } from "node:crypto";
import { beforeEach, describe, expect, it } from "vitest";
import { demoCredentials, demoShop } from "../../infra/local/demo-data";
import { signWebhookBody } from "../../infra/local/shopify/webhooks";
import type { CouponRecord } from "../../shared/store";
import { expectAlerts } from "../support/expected-logs";
import { taro, useTestStack } from "../support/local-stack";

/**
 * Usage sync end to end: the Shopify emulator places an order with a code and delivers the signed
 * order webhooks to the local gateway; the webhook function marks the coupon used. Hand-made
 * deliveries cover forged, re-sent, malformed, stale and off-topic webhooks.
 */
const t = await useTestStack();
const { stack } = t;
const taroGid = `gid://shopify/Customer/${taro.customerId}`;

beforeEach(() => {
  stack.smaregi.control.reset();
  stack.smaregi.store.reset();
  stack.shopify.control.reset();
  stack.shopify.store.reset();
  stack.ses.emails.clear();
});

async function until<T>(read: () => Promise<T>, done: (value: T) => boolean, timeoutMs = 5_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (done(value) || Date.now() > deadline) return value;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** A live coupon whose record the saga has finished writing to the customer's metafield. */
async function liveCoupon(): Promise<CouponRecord> {
  const { status, body } = await t.convert(taro.customerId, 500);
  expect(status).toBe(201);
  const conversionId = String(body.conversionId);
  const conversion = await until(
    () => t.conversions.getConversion(conversionId),
    (value) => value?.metafieldSaved === true,
  );
  expect(conversion?.metafieldSaved).toBe(true);
  const coupon = await t.coupons.getCoupon(String((body.coupon as { code: string }).code));
  if (!coupon) throw new Error("coupon not stored");
  return coupon;
}

const recordEntryOf = (code: string) => {
  const metafield = stack.shopify.store.getMetafield(taroGid, "$app:loyalty", "coupons");
  const record = JSON.parse(metafield?.value ?? '{"coupons":[]}') as {
    coupons: { code: string; status: string }[];
  };
  return record.coupons.find((entry) => entry.code === code);
};

const couponTrail = async (code: string) =>
  (await t.audit.listAuditEvents({ type: "coupon", id: code })).map(
    (event) => `${event.type}:${event.outcome}`,
  );

interface Delivery {
  topic?: string;
  webhookId?: string;
  triggeredAt?: string;
  signature?: string;
}

/** A delivery as Shopify sends it, signed with the app secret unless a signature is given. */
async function deliver(body: string, delivery: Delivery = {}) {
  const response = await fetch(`${stack.urls.api}/v1/webhooks/shopify`, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      "x-shopify-topic": delivery.topic ?? "orders/paid",
      "x-shopify-hmac-sha256": delivery.signature ?? signWebhookBody(body, demoCredentials.shopifyAppSecret),
      "x-shopify-shop-domain": demoShop.domain,
      "x-shopify-api-version": "2026-10",
      "x-shopify-webhook-id": delivery.webhookId ?? randomUUID(),
      "x-shopify-triggered-at": delivery.triggeredAt ?? new Date().toISOString(),
    },
    body,
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

const orderBody = (code: string, id = 5_550_001) =>
  JSON.stringify({
    id,
    name: `#${id}`,
    created_at: new Date().toISOString(),
    discount_codes: [{ code: code.toLowerCase(), type: "fixed_amount", amount: "500.00" }],
  });

describe("a coupon redeemed at checkout", () => {
  it("is marked used with its order, in DynamoDB, the customer's record and the audit trail, within seconds", async () => {
    // Prepare
    const coupon = await liveCoupon();
    expect(recordEntryOf(coupon.code)?.status).toBe("active");

    // Act
    const started = Date.now();
    const placed = await fetch(`${stack.urls.shopify}/_control/orders`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ code: coupon.code, customerId: taro.customerId }),
    });
    const order = (await placed.json()) as {
      order: { id: number; name: string };
      deliveries: { topic: string; status: number }[];
    };

    // Assess
    expect(placed.status).toBe(201);
    expect(order.deliveries.map((delivery) => delivery.status)).toEqual([200, 200]);
    const used = await until(
      () => t.coupons.getCoupon(coupon.code),
      (value) => value?.status === "used",
    );
    // Both deliveries were answered within Shopify's 5 s, one after the other.
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(used).toMatchObject({ status: "used", orderId: String(order.order.id) });
    expect(used?.usedAt).toBeDefined();
    expect(recordEntryOf(coupon.code)?.status).toBe("used");
    const events = await t.audit.listAuditEvents({ type: "coupon", id: coupon.code });
    const usedEvents = events.filter((event) => event.type === "coupon.used");
    // orders/create and orders/paid both arrived; the use is recorded once.
    expect(usedEvents).toHaveLength(1);
    expect(usedEvents[0]).toMatchObject({
      outcome: "succeeded",
      actor: { kind: "system", id: "webhooks/shopify" },
      data: { orderId: String(order.order.id), orderName: order.order.name },
    });
  });

  it("stays cancelled when redeemed after its cancellation, and the admins are alerted", async () => {
    // Prepare: a cancellation already refunded the points.
    const coupon = await liveCoupon();
    await t.coupons.updateCouponStatus(coupon.code, ["active"], {
      status: "cancelled",
      cancelledAt: new Date().toISOString(),
      cancelledBy: "ops@example.com",
    });
    const logged = expectAlerts("needs_review");

    // Act
    const answer = await deliver(orderBody(coupon.code, 5_550_002));

    // Assess
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({ coupons: [{ code: coupon.code, outcome: "used_while_cancelled" }] });
    expect(await t.coupons.getCoupon(coupon.code)).toMatchObject({ status: "cancelled", orderId: "5550002" });
    expect(await couponTrail(coupon.code)).toContain("coupon.used_while_cancelled:failed");
    const alerts = stack.ses.emails.list({ to: "ops@example.com" });
    expect(alerts).toHaveLength(1);
    expect(alerts[0]?.subject).toContain(coupon.code);
    expect(logged.lines).toEqual([expect.objectContaining({ code: coupon.code })]);
  });

  it("ignores codes that are not ours", async () => {
    const answer = await deliver(orderBody("SPRING30"));

    expect(answer).toEqual({
      status: 200,
      body: { status: "processed", webhookId: expect.any(String), coupons: [] },
    });
  });
});

describe("deliveries that must change nothing", () => {
  /** What a delivery could have changed. */
  async function snapshot(code: string) {
    return {
      coupon: await t.coupons.getCoupon(code),
      trail: await couponTrail(code),
      metafieldWrites: stack.shopify.control.snapshot().calls.metafieldsSet ?? 0,
      entry: recordEntryOf(code),
    };
  }

  it.each([
    [
      "a forged signature",
      { signature: signWebhookBody("{}", "not-the-app-secret") },
      401,
      "invalid_signature",
    ],
    ["no signature", { signature: "" }, 401, "invalid_signature"],
    [
      "a stale delivery",
      { triggeredAt: new Date(Date.now() - 7 * 3600_000).toISOString() },
      401,
      "stale_webhook",
    ],
  ])("refuses %s", async (_case, delivery, status, code) => {
    const coupon = await liveCoupon();
    const before = await snapshot(coupon.code);

    const answer = await deliver(orderBody(coupon.code), delivery);

    expect(answer.status).toBe(status);
    expect(answer.body).toMatchObject({ code });
    expect(await snapshot(coupon.code)).toEqual(before);
  });

  it("refuses a signed body that is not JSON", async () => {
    const coupon = await liveCoupon();
    const before = await snapshot(coupon.code);

    const answer = await deliver(`{"id": 1, "discount_codes": [{"code": "${coupon.code}"`);

    expect(answer.status).toBe(400);
    expect(answer.body).toMatchObject({ code: "invalid_json" });
    expect(await snapshot(coupon.code)).toEqual(before);
  });

  it("acknowledges and ignores other topics", async () => {
    const coupon = await liveCoupon();
    const before = await snapshot(coupon.code);

    const answer = await deliver(orderBody(coupon.code), { topic: "orders/cancelled" });

    expect(answer).toEqual({
      status: 200,
      body: { status: "ignored", reason: "topic orders/cancelled is not handled" },
    });
    expect(await snapshot(coupon.code)).toEqual(before);
  });

  it("answers a re-sent delivery (same webhook id) without doing anything again", async () => {
    // Prepare: the first delivery marks the coupon used.
    const coupon = await liveCoupon();
    const webhookId = randomUUID();
    const body = orderBody(coupon.code);
    const first = await deliver(body, { webhookId });
    expect(first.body).toMatchObject({ status: "processed", coupons: [{ outcome: "marked_used" }] });
    const before = await snapshot(coupon.code);
    const reads = stack.shopify.control.snapshot().calls.customer ?? 0;

    // Act
    const again = await deliver(body, { webhookId });

    // Assess
    expect(again).toEqual({ status: 200, body: { status: "duplicate", webhookId } });
    expect(await snapshot(coupon.code)).toEqual(before);
    expect(stack.shopify.control.snapshot().calls.customer ?? 0).toBe(reads);
    expect(before.coupon?.status).toBe("used");
  });
});
