import { beforeEach, describe, expect, it } from "vitest";
import { taro, useTestStack } from "../support/local-stack";
import { adminClient, codeOf, convertBy, hanako, jiro } from "./support";

/** The customer's side of the catalog: what is offered and affordable, and whether a code is valid. */
const t = await useTestStack();
const { stack } = t;
const admin = adminClient(t);

beforeEach(() => {
  stack.smaregi.control.reset();
  stack.smaregi.store.reset();
  stack.shopify.control.reset();
  stack.shopify.store.reset();
});

interface CatalogAnswer {
  balance: number;
  registered: boolean;
  rewards: Array<{ rewardId: string; pointsRequired: number; affordable: boolean; pointsMissing: number }>;
}

const catalogOf = async (customerId: string) => {
  const response = await t.api("/v1/rewards", { customerId });
  return { status: response.status, body: (await response.json()) as CatalogAnswer };
};

const validityOf = async (customerId: string, code: string) => {
  const response = await t.api(`/v1/me/coupons/${encodeURIComponent(code)}`, { customerId });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
};

describe("GET /v1/rewards", () => {
  it("lists the active rewards cheapest first, with what the customer can afford now", async () => {
    // Prepare
    stack.smaregi.store.setPoints(taro.posCustomerId, { point: 700 });

    // Act
    const { status, body } = await catalogOf(taro.customerId);

    // Assess
    expect(status).toBe(200);
    expect(body.balance).toBe(700);
    expect(body.rewards.map((reward) => [reward.rewardId, reward.affordable, reward.pointsMissing])).toEqual([
      ["points-to-yen", true, 0],
      ["free-shipping", true, 0],
      ["yen-500-off", true, 0],
      ["cafe-drink", true, 0],
      ["tote-bag", false, 100],
      ["yen-1000-bonus", false, 200],
      ["ten-percent-off", false, 300],
    ]);
    // One balance read per request; the member lookup is cached.
    expect(stack.smaregi.control.snapshot().calls.getPoints).toBe(1);
  });

  it("shows a customer without points what each reward still needs", async () => {
    const { body } = await catalogOf(hanako.customerId);

    expect(body.rewards.every((reward) => !reward.affordable)).toBe(true);
    expect(body.rewards.find((reward) => reward.rewardId === "free-shipping")?.pointsMissing).toBe(300);
  });

  it("still shows the catalog to a customer who is not a store member", async () => {
    const { status, body } = await catalogOf(jiro);

    expect(status).toBe(200);
    expect(body).toMatchObject({ balance: 0, registered: false });
    expect(body.rewards.length).toBeGreaterThan(0);
  });

  it("leaves out rewards that are switched off or outside their window", async () => {
    // Prepare
    const base = {
      name: { ja: "限定", en: "Limited" },
      description: { ja: "限定", en: "Limited" },
      cost: { kind: "fixed", points: 100 },
      coupon: { type: "free_shipping" },
    };
    await admin("POST", "/v1/admin/rewards", { body: { rewardId: "switched-off", ...base, active: false } });
    await admin("POST", "/v1/admin/rewards", {
      body: { rewardId: "not-yet", ...base, activeFrom: "2099-01-01T00:00:00Z" },
    });
    await admin("POST", "/v1/admin/rewards", {
      body: { rewardId: "over", ...base, activeUntil: "2020-01-01T00:00:00Z" },
    });

    // Act
    const { body } = await catalogOf(taro.customerId);

    // Assess
    const offered = body.rewards.map((reward) => reward.rewardId);
    expect(offered).not.toContain("switched-off");
    expect(offered).not.toContain("not-yet");
    expect(offered).not.toContain("over");
    expect(await convertBy(t, taro.customerId, { rewardId: "not-yet" })).toMatchObject({
      status: 422,
      body: { code: "reward_unavailable" },
    });
  });

  it("asks a signed-out visitor to sign in", async () => {
    expect((await t.api("/v1/rewards")).status).toBe(401);
  });
});

describe("GET /v1/me/coupons/{code}", () => {
  it.each(["%", "%25", "%E0%A4%A", "100%off"])(
    "answers 404, not 500, for a code with a literal percent sign (%s)",
    async (code) => {
      const answer = await validityOf(taro.customerId, code);

      expect(answer).toMatchObject({ status: 404, body: { code: "coupon_not_found" } });
    },
  );

  it("answers 400, not 500, for a path with a malformed escape", async () => {
    const response = await t.api("/v1/me/coupons/%E0%A4%A", { customerId: taro.customerId });

    expect(response.status).toBe(400);
  });

  it("says a fresh code is valid, whatever its case", async () => {
    const code = codeOf(await convertBy(t, taro.customerId, { rewardId: "yen-500-off" }));

    const answer = await validityOf(taro.customerId, code.toLowerCase());

    expect(answer).toMatchObject({
      status: 200,
      body: { code, valid: true, type: "fixed_discount", rewardId: "yen-500-off" },
    });
    expect(answer.body.reason).toBeUndefined();
  });

  it.each([
    ["used", { status: "used", usedAt: "2026-01-02T00:00:00.000Z" }],
    ["cancelled", { status: "cancelled", cancelledAt: "2026-01-02T00:00:00.000Z" }],
    ["expired", { status: "expired" }],
  ] as const)("says why a code is not valid: %s", async (reason, patch) => {
    const code = codeOf(await convertBy(t, taro.customerId, { rewardId: "free-shipping" }));
    await t.coupons.updateCouponStatus(code, ["active"], patch);

    const answer = await validityOf(taro.customerId, code);

    expect(answer).toMatchObject({ status: 200, body: { valid: false, reason } });
  });

  it("says a code whose start date lies ahead has not started", async () => {
    // Prepare: a rule whose coupons start later.
    const startDate = new Date(Date.now() + 7 * 24 * 60 * 60 * 1000).toISOString();
    await admin("POST", "/v1/admin/rewards", {
      body: {
        rewardId: "next-week",
        name: { ja: "来週から", en: "From next week" },
        description: { ja: "来週から使える", en: "Usable from next week" },
        cost: { kind: "fixed", points: 200 },
        coupon: { type: "fixed_discount", amount: 200, startDate, validityDays: 14 },
      },
    });
    const converted = await convertBy(t, taro.customerId, { rewardId: "next-week" });

    // Act
    const answer = await validityOf(taro.customerId, codeOf(converted));

    // Assess
    expect(answer).toMatchObject({ status: 200, body: { valid: false, reason: "not_started" } });
    expect(stack.shopify.store.findDiscountByCode(codeOf(converted))?.startsAt.toISOString()).toBe(
      new Date(Math.floor(Date.parse(startDate) / 1000) * 1000).toISOString(),
    );
  });

  it("answers 404 for another customer's code and for an unknown one", async () => {
    const code = codeOf(await convertBy(t, taro.customerId, { rewardId: "yen-500-off" }));

    expect(await validityOf(hanako.customerId, code)).toMatchObject({
      status: 404,
      body: { code: "coupon_not_found" },
    });
    expect((await validityOf(taro.customerId, "70934-ZZZZZZ-500")).status).toBe(404);
  });
});
