import { randomUUID } from "node:crypto";
import { beforeEach, describe, expect, it } from "vitest";
import { taro, useTestStack } from "../support/local-stack";

/** What a customer's front end sees: validation, idempotency, concurrency and limits. */
const t = await useTestStack();
const { stack } = t;

beforeEach(() => {
  stack.smaregi.control.reset();
  stack.smaregi.store.reset();
  stack.shopify.control.reset();
  stack.shopify.store.reset();
});

const hanako = { customerId: "8840734670935", posCustomerId: "1002" } as const;
const jiro = "8840734670936";

const post = (customerId: string, body: string, headers: Record<string, string> = {}) =>
  t.api("/v1/me/conversions", {
    method: "POST",
    customerId,
    headers: { "content-type": "application/json", "idempotency-key": randomUUID(), ...headers },
    body,
  });

const codeOf = (answer: { body: Record<string, unknown> }) => (answer.body.coupon as { code: string }).code;

const discountCount = async () =>
  ((await (await fetch(`${stack.urls.shopify}/_control/discounts`)).json()) as { discounts: unknown[] })
    .discounts.length;

describe("bad input gets a clear error and changes nothing", () => {
  it.each([
    ['{"points": 150}', "steps of 100"],
    ['{"points": 0}', "positive"],
    ['{"points": -100}', "positive"],
    ['{"points": 50}', "At least 100"],
    ['{"points": 20000}', "per day"],
    ['{"points": "500"}', "number"],
    ['{"points": 100.5}', "whole number"],
    ["{}", "number"],
  ])("%s -> 400 invalid_points", async (body, hint) => {
    const response = await post(taro.customerId, body);
    const problem = (await response.json()) as { code: string; detail: string };

    expect(response.status).toBe(400);
    expect(response.headers.get("content-type")).toContain("application/problem+json");
    expect(problem.code).toBe("invalid_points");
    expect(problem.detail).toContain(hint);
    expect(t.posBalance(taro.posCustomerId)).toBe(1250);
    expect(await discountCount()).toBe(0);
  });

  it("refuses malformed JSON", async () => {
    const response = await post(taro.customerId, "{points: 500");
    expect(response.status).toBe(400);
    expect(((await response.json()) as { code: string }).code).toBe("invalid_json");
  });

  it("requires an Idempotency-Key", async () => {
    const response = await t.api("/v1/me/conversions", {
      method: "POST",
      customerId: taro.customerId,
      headers: { "content-type": "application/json" },
      body: '{"points": 500}',
    });
    const problem = (await response.json()) as { code: string; detail: string };
    expect(response.status).toBe(400);
    expect(problem.code).toBe("idempotency_key_required");
    expect(problem.detail).toContain("Idempotency-Key");
    expect(t.posBalance(taro.posCustomerId)).toBe(1250);
  });

  it("asks a signed-out visitor to sign in", async () => {
    const response = await t.api("/v1/me/conversions", { method: "POST", body: '{"points": 500}' });
    expect(response.status).toBe(401);
    expect(((await response.json()) as { code: string }).code).toBe("unauthenticated");
  });

  it("tells a customer without store membership, and one without enough points", async () => {
    const notMember = await t.convert(jiro, 100);
    expect(notMember.status).toBe(404);
    expect(notMember.body.code).toBe("not_registered");

    const poor = await t.convert(hanako.customerId, 100);
    expect(poor.status).toBe(422);
    expect(poor.body.code).toBe("insufficient_points");
    expect(String(poor.body.detail)).toContain("You have 0 points");
    expect(await discountCount()).toBe(0);
  });

  it("keeps the daily limit per shop-local day", async () => {
    // Prepare: a rich customer
    stack.smaregi.store.setPoints(hanako.posCustomerId, { point: 20_000 });

    // Act
    const big = await t.convert(hanako.customerId, 10_000);
    const over = await t.convert(hanako.customerId, 100);

    // Assess
    expect(big.status).toBe(201);
    expect(over.status).toBe(422);
    expect(over.body).toMatchObject({
      code: "daily_limit_exceeded",
      dailyLimitPoints: 10_000,
      remainingPoints: 0,
    });
    expect(t.posBalance(hanako.posCustomerId)).toBe(10_000);
  });
});

describe("idempotency", () => {
  it("replaying the same key returns the same coupon and deducts once", async () => {
    // Prepare
    const key = randomUUID();

    // Act
    const first = await t.convert(taro.customerId, 500, key);
    const again = await t.convert(taro.customerId, 500, key);

    // Assess
    expect(first.status).toBe(201);
    expect(again.status).toBe(201);
    expect(again.body).toEqual(first.body);
    expect(t.posBalance(taro.posCustomerId)).toBe(750);
    expect(stack.smaregi.control.snapshot().calls.addPoints).toBe(1);
    expect(await discountCount()).toBe(1);
  });

  it("concurrent replays of one key produce one conversion and one deduction", async () => {
    const key = randomUUID();

    const answers = await Promise.all(Array.from({ length: 6 }, () => t.convert(taro.customerId, 500, key)));

    const completed = answers.filter((answer) => answer.status === 201);
    expect(completed.length).toBeGreaterThan(0);
    for (const answer of answers) expect([201, 409]).toContain(answer.status);
    expect(new Set(completed.map((answer) => answer.body.conversionId)).size).toBe(1);
    expect(t.posBalance(taro.posCustomerId)).toBe(750);
    expect(stack.smaregi.control.snapshot().calls.addPoints).toBe(1);
    expect(await discountCount()).toBe(1);
  });

  it("the same key with a different body is refused", async () => {
    const key = randomUUID();
    await t.convert(taro.customerId, 500, key);

    const reused = await t.convert(taro.customerId, 300, key);

    expect(reused.status).toBe(422);
    expect(reused.body.code).toBe("idempotency_key_reused");
    expect(t.posBalance(taro.posCustomerId)).toBe(750);
  });

  it("a finished conversion can be looked up by its status URL, only by its owner", async () => {
    const { body } = await t.convert(taro.customerId, 500);

    const mine = await t.api(`/v1/me/conversions/${String(body.conversionId)}`, {
      customerId: taro.customerId,
    });
    const theirs = await t.api(`/v1/me/conversions/${String(body.conversionId)}`, {
      customerId: hanako.customerId,
    });

    expect(mine.status).toBe(200);
    expect(await mine.json()).toMatchObject({ status: "completed", coupon: body.coupon });
    expect(theirs.status).toBe(404);
  });
});

describe("concurrency", () => {
  it("20 parallel conversions for a balance that covers 3: exactly 3 coupons, never below zero", async () => {
    // Prepare
    stack.smaregi.store.setPoints(taro.posCustomerId, { point: 1500 });
    const since = new Date().toISOString();

    // Act: each client retries while another conversion is in progress, as Retry-After asks.
    const attempt = async () => {
      const key = randomUUID();
      for (let round = 0; ; round++) {
        const answer = await t.convert(taro.customerId, 500, key);
        if (answer.status !== 409 || round >= 40) return answer;
        await new Promise((resolve) => setTimeout(resolve, 50 + Math.random() * 100));
      }
    };
    const answers = await Promise.all(Array.from({ length: 20 }, attempt));

    // Assess
    const statuses = answers.map((answer) => answer.status);
    expect(statuses.filter((status) => status === 201)).toHaveLength(3);
    for (const status of statuses) expect([201, 409, 422]).toContain(status);
    expect(t.posBalance(taro.posCustomerId)).toBe(0);
    expect(await discountCount()).toBe(3);
    const page = await t.coupons.listCouponsByCustomer(taro.customerId, { limit: 100 });
    expect(
      page.items.filter((coupon) => coupon.createdAt >= since && coupon.status === "active"),
    ).toHaveLength(3);
  });

  it("a second conversion while one is running gets 409 with Retry-After", async () => {
    stack.shopify.control.setLatency({ discountCodeBasicCreate: 500 });

    const [first, second] = await Promise.all([
      t.convert(taro.customerId, 100),
      new Promise((resolve) => setTimeout(resolve, 100)).then(() =>
        t.api("/v1/me/conversions", {
          method: "POST",
          customerId: taro.customerId,
          headers: { "content-type": "application/json", "idempotency-key": randomUUID() },
          body: '{"points": 100}',
        }),
      ),
    ]);

    expect(first.status).toBe(201);
    expect(second.status).toBe(409);
    expect(second.headers.get("retry-after")).toMatch(/^\d+$/);
    expect(((await second.json()) as { code: string }).code).toBe("conversion_in_progress");
  });
});

describe("the customer's coupons", () => {
  it("lists the customer's own coupons, newest first", async () => {
    const first = await t.convert(taro.customerId, 100);
    const second = await t.convert(taro.customerId, 200);

    const response = await t.api("/v1/me/coupons", { customerId: taro.customerId });
    const { coupons } = (await response.json()) as {
      coupons: Array<{ code: string; amount: number; status: string; type: string }>;
    };
    const others = (await (await t.api("/v1/me/coupons", { customerId: hanako.customerId })).json()) as {
      coupons: Array<{ code: string }>;
    };

    expect(response.status).toBe(200);
    expect(
      coupons.slice(0, 2).map((coupon) => [coupon.code, coupon.amount, coupon.status, coupon.type]),
    ).toEqual([
      [codeOf(second), 200, "active", "fixed_discount"],
      [codeOf(first), 100, "active", "fixed_discount"],
    ]);
    // Another customer never sees them.
    const theirCodes = others.coupons.map((coupon) => coupon.code);
    expect(theirCodes).not.toContain(codeOf(first));
    expect(theirCodes).not.toContain(codeOf(second));
  });
});
