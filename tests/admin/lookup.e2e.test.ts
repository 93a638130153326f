import { randomUUID } from "node:crypto";
import { beforeAll, beforeEach, describe, expect, it } from "vitest";
import { newConversionId } from "../../shared/conversion/rules";
import type { CouponRecord } from "../../shared/store";
import { expectAlerts } from "../support/expected-logs";
import { taro, useTestStack } from "../support/local-stack";
import { staffApi } from "./staff";

/** Shop staff searching and inspecting coupons and conversions through the gateway's JWT authorizer. */
const t = await useTestStack();
const { stack } = t;
const asStaff = staffApi(stack.urls.api);

beforeEach(() => {
  stack.smaregi.control.reset();
  stack.smaregi.store.reset();
  stack.shopify.control.reset();
  stack.shopify.store.reset();
  stack.ses.emails.clear();
});

interface CouponPage {
  coupons: (CouponRecord & { storedStatus: string })[];
  nextCursor?: string;
}

const read = async <T>(path: string, role: "viewer" | "admin" = "viewer") => {
  const response = await asStaff(role, path);
  return { status: response.status, body: (await response.json()) as T };
};

/** Coupons of one made-up customer, written straight to the store, oldest first. */
const shopper = "9000000000001";
const seeded: string[] = [];
beforeAll(async () => {
  const day = 24 * 3600_000;
  const plans: { status: CouponRecord["status"]; expiresInDays: number }[] = [
    { status: "active", expiresInDays: 365 },
    { status: "used", expiresInDays: 365 },
    { status: "active", expiresInDays: -1 },
    { status: "cancelled", expiresInDays: 365 },
    { status: "expired", expiresInDays: -30 },
  ];
  for (const [index, plan] of plans.entries()) {
    const code = `00001-SEED${index}X-100`;
    await t.coupons.putCoupon({
      code,
      conversionId: `seed-${index}-${randomUUID()}`,
      customerId: shopper,
      customerGid: `gid://shopify/Customer/${shopper}`,
      discountId: `gid://shopify/DiscountCodeNode/${900 + index}`,
      amount: 100,
      currency: "JPY",
      pointsUsed: 100,
      type: "amount_off",
      status: plan.status,
      startsAt: new Date(Date.now() - 400 * day).toISOString(),
      expiresAt: new Date(Date.now() + plan.expiresInDays * day).toISOString(),
    });
    seeded.push(code);
    // createdAt orders the listing; keep the writes apart.
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
});

describe("coupon search", () => {
  it("pages a customer's coupons newest first with a cursor", async () => {
    const codes: string[] = [];
    let cursor: string | undefined;
    const pageSizes: number[] = [];
    do {
      const query = `customerId=${shopper}&limit=2${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`;
      const { status, body } = await read<CouponPage>(`/v1/admin/coupons?${query}`);
      expect(status).toBe(200);
      pageSizes.push(body.coupons.length);
      codes.push(...body.coupons.map((coupon) => coupon.code));
      cursor = body.nextCursor;
    } while (cursor);

    expect(codes).toEqual([...seeded].reverse());
    expect(pageSizes.slice(0, 2)).toEqual([2, 2]);
  });

  it.each([
    ["all", [0, 1, 2, 3, 4]],
    ["active", [0]],
    ["used", [1]],
    ["cancelled", [3]],
    // Stored as expired, or active past its end date.
    ["expired", [2, 4]],
  ])("filters by status %s", async (status, indexes) => {
    const { body } = await read<CouponPage>(`/v1/admin/coupons?customerId=${shopper}&status=${status}`);

    expect(body.coupons.map((coupon) => coupon.code)).toEqual(indexes.map((i) => seeded[i]).reverse());
  });

  it("shows an active coupon past its end date as expired, keeping what is stored", async () => {
    const { body } = await read<CouponPage>(`/v1/admin/coupons?code=${seeded[2]}`);

    expect(body.coupons).toHaveLength(1);
    expect(body.coupons[0]).toMatchObject({ status: "expired", storedStatus: "active" });
  });

  it("finds a code in any case, and only when the other filters agree", async () => {
    const code = String(seeded[0]);

    expect(
      (await read<CouponPage>(`/v1/admin/coupons?code=${code.toLowerCase()}`)).body.coupons,
    ).toHaveLength(1);
    expect(
      (await read<CouponPage>(`/v1/admin/coupons?code=${code}&customerId=${taro.customerId}`)).body.coupons,
    ).toEqual([]);
    expect((await read<CouponPage>(`/v1/admin/coupons?code=${code}&status=used`)).body.coupons).toEqual([]);
  });

  it("searches across the shop, newest first, with a status filter", async () => {
    const { body } = await read<CouponPage>("/v1/admin/coupons?status=expired&limit=100");

    expect(body.coupons.map((coupon) => coupon.code)).toEqual([seeded[4], seeded[2]]);
  });

  it.each([
    ["status=open", "status"],
    ["limit=0", "limit"],
    ["limit=abc", "limit"],
    ["customerId=taro", "customerId"],
  ])("names the wrong parameter of %s in a 400", async (query, name) => {
    const response = await asStaff("viewer", `/v1/admin/coupons?${query}`);
    const problem = (await response.json()) as { code: string; detail: string };

    expect(response.status).toBe(400);
    expect(response.headers.get("content-type")).toContain("application/problem+json");
    expect(problem.detail).toContain(name);
  });

  it("refuses a cursor of another listing", async () => {
    const first = await read<CouponPage>(`/v1/admin/coupons?customerId=${shopper}&limit=1`);
    const response = await asStaff(
      "viewer",
      `/v1/admin/coupons?customerId=${taro.customerId}&cursor=${encodeURIComponent(String(first.body.nextCursor))}`,
    );

    expect(response.status).toBe(400);
    expect(((await response.json()) as { code: string }).code).toBe("invalid_cursor");
  });
});

interface Inspection {
  coupon: (CouponRecord & { storedStatus: string }) | null;
  conversion: Record<string, unknown> | null;
  execution: { name: string; arn: string | null };
  trail: {
    eventId: string;
    type: string;
    at: string;
    outcome: string;
    actor: { kind: string; id: string };
  }[];
}

describe("inspecting a coupon and its conversion", () => {
  it("shows the coupon, its conversion, the whole trail oldest first and the saga execution", async () => {
    // Prepare
    const converted = await t.convert(taro.customerId, 500);
    expect(converted.status).toBe(201);
    const code = (converted.body.coupon as { code: string }).code;
    const conversionId = String(converted.body.conversionId);
    await stack.stepFunctions.waitForExecution(
      `${String(stack.environment.CONVERT_STATE_MACHINE_ARN).replace(":stateMachine:", ":execution:")}:${conversionId}`,
    );

    // Act
    const { status, body } = await read<Inspection>(`/v1/admin/coupons/${code.toLowerCase()}`);

    // Assess
    expect(status).toBe(200);
    expect(body.coupon).toMatchObject({ code, status: "active", customerId: taro.customerId, conversionId });
    expect(body.conversion).toMatchObject({ conversionId, status: "completed", points: 500 });
    expect(body.conversion).not.toHaveProperty("requestHash");
    expect(body.execution).toEqual({
      name: conversionId,
      arn: `arn:aws:states:ap-northeast-1:000000000000:execution:loyalty-local-convertPoints:${conversionId}`,
    });
    const types = body.trail.map((event) => `${event.type}:${event.outcome}`);
    expect(types).toEqual(
      expect.arrayContaining(["points.deducted:succeeded", "conversion.completed:succeeded"]),
    );
    expect(new Set(body.trail.map((event) => event.eventId)).size).toBe(body.trail.length);
    expect(body.trail.map((event) => event.at)).toEqual(body.trail.map((event) => event.at).sort());
    expect(body.trail[0]?.actor).toEqual({ kind: "customer", id: taro.customerId });

    const byConversion = await read<Inspection>(`/v1/admin/conversions/${conversionId}`);
    expect(byConversion.status).toBe(200);
    expect(byConversion.body.coupon?.code).toBe(code);
    expect(byConversion.body.trail).toEqual(body.trail);
  });

  it("answers 404 for unknown codes and conversions", async () => {
    const coupon = await asStaff("viewer", "/v1/admin/coupons/NOPE-000000-100");
    const conversion = await asStaff("viewer", `/v1/admin/conversions/${newConversionId()}`);

    expect(coupon.status).toBe(404);
    expect(((await coupon.json()) as { code: string }).code).toBe("coupon_not_found");
    expect(conversion.status).toBe(404);
    expect(((await conversion.json()) as { code: string }).code).toBe("conversion_not_found");
  });

  it("shows a conversion parked for review with its reason, also in the review queue", async () => {
    // Prepare: the deduction's answer is lost and the POS history cannot be read afterwards.
    stack.smaregi.control.setFaults([
      { operation: "addPoints", kind: "timeout", count: 1 },
      { operation: "listTransactions", kind: "http503" },
    ]);
    const alerts = expectAlerts("needs_review");
    const converted = await t.convert(taro.customerId, 200);
    expect(converted.body).toMatchObject({ status: "needs_review" });
    const conversionId = String(converted.body.conversionId);
    await stack.stepFunctions.waitForExecution(
      `${String(stack.environment.CONVERT_STATE_MACHINE_ARN).replace(":stateMachine:", ":execution:")}:${conversionId}`,
    );

    // Act
    const { body } = await read<Inspection>(`/v1/admin/conversions/${conversionId}`);
    const queue = await read<{ conversions: { conversionId: string; reviewReason?: string }[] }>(
      "/v1/admin/conversions?status=needs_review",
    );

    // Assess
    expect(body.conversion).toMatchObject({
      status: "needs_review",
      reviewReason: expect.stringContaining("could not be read"),
    });
    expect(body.trail.map((event) => `${event.type}:${event.outcome}`)).toContain(
      "conversion.needs_review:unknown",
    );
    expect(queue.status).toBe(200);
    expect(queue.body.conversions.find((c) => c.conversionId === conversionId)?.reviewReason).toBeDefined();
    expect(alerts.lines).toEqual([expect.objectContaining({ conversionId })]);
  });
});

describe("who may use the admin routes", () => {
  const reads = ["/v1/admin/coupons", `/v1/admin/coupons/${"00001-SEED0X-100"}`, "/v1/admin/conversions"];

  it.each(reads)("lets viewers and admins read %s", async (path) => {
    expect((await asStaff("viewer", path)).status).toBe(200);
    expect((await asStaff("admin", path)).status).toBe(200);
  });

  it.each(reads)("refuses %s to staff without a loyalty role (403)", async (path) => {
    const response = await asStaff("none", path);

    expect(response.status).toBe(403);
    expect(((await response.json()) as { code: string }).code).toBe("forbidden");
  });

  it.each(reads)("refuses %s to customers and to anonymous callers at the gateway (401)", async (path) => {
    expect((await t.api(path, { customerId: taro.customerId })).status).toBe(401);
    expect((await t.api(path)).status).toBe(401);
  });

  it("does not let a viewer adjust points", async () => {
    const response = await asStaff("viewer", `/v1/admin/customers/${taro.customerId}/point-adjustments`, {
      method: "POST",
      headers: { "content-type": "application/json", "idempotency-key": randomUUID() },
      body: JSON.stringify({ points: 500, reason: "goodwill" }),
    });

    expect(response.status).toBe(403);
    expect(t.posBalance(taro.posCustomerId)).toBe(1250);
  });
});
