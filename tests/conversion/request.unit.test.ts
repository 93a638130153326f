import { describe, expect, it } from "vitest";
import {
  nextPollIn,
  orderOf,
  type RequestDependencies,
  requestConversion,
} from "../../shared/conversion/request";
import type { ConversionOrder } from "../../shared/conversion/saga";
import { NotFound } from "../../shared/errors";
import { type KnownBalance, shopLocalDate } from "../../shared/store";
import { type FakeWorld, fakeWorld, member } from "../support/fake-world";

/**
 * The API side of a conversion against the in-memory stores: what it reserves and what it asks
 * the saga to do. The saga itself runs elsewhere; the budget is 0, so the answer is the reservation.
 */

const timeZone = "Asia/Tokyo";
const minutes = 60_000;

function requestSide(world: FakeWorld) {
  const started: ConversionOrder[] = [];
  const deps: RequestDependencies = {
    requests: world.conversions,
    saga: {
      start: async (order) => {
        started.push(order);
        return `arn:aws:states:ap-northeast-1:000000000000:execution:convert:${order.conversionId}`;
      },
    },
    audit: world.audit,
    rules: {
      unit: 100,
      minimum: 100,
      dailyLimit: 10_000,
      currencyPerPoint: 1,
      currency: "JPY",
      validityDays: 365,
      timeZone,
    },
    rewards: {
      getReward: async (rewardId) => {
        throw new NotFound("reward_not_found", `No reward ${rewardId}`);
      },
    },
    now: world.clock.now,
    shopDate: (instant) => shopLocalDate(instant, timeZone),
    waitBudgetMs: 0,
  };
  const convert = (points: number, key = `key-${started.length + 1}-abcdef`) =>
    requestConversion(deps, {
      customerId: member.number,
      customerGid: `gid://shopify/Customer/${member.number}`,
      idempotencyKey: key,
      points,
    });
  return { started, convert };
}

/** What the saga steps tell the store about the customer's balance, `ago` ms before now. */
async function learned(world: FakeWorld, atMost: number, ago: number, source: KnownBalance["source"]) {
  const at = new Date(world.clock.now().getTime() - ago);
  await world.conversions.rememberBalance(member.number, shopLocalDate(at, timeZone), {
    atMost,
    at: at.toISOString(),
    source,
  });
}

describe("a conversion when the service knows the customer's balance", () => {
  it("asks the saga to read the balance before it creates a coupon when, moments ago, it was too low", async () => {
    // Prepare: a balance check two minutes ago found 300 points
    const world = fakeWorld();
    const { started, convert } = requestSide(world);
    await learned(world, 300, 2 * minutes, "balance_check");

    // Act
    const reserved = await convert(500);

    // Assess: recorded with the conversion, so every start of its saga (a replay, the reconciler) is the same
    const fact = { atMost: 300, at: new Date(world.clock.now().getTime() - 2 * minutes).toISOString() };
    expect(reserved.checkBalanceFirst).toEqual({ ...fact, source: "balance_check" });
    expect(started).toEqual([orderOf(reserved)]);
    expect(started[0]?.checkBalanceFirst).toEqual({ ...fact, source: "balance_check" });
  });

  it("does so after a declined deduction, and after a conversion that left fewer points", async () => {
    const world = fakeWorld();
    const { started, convert } = requestSide(world);
    await learned(world, 499, 1 * minutes, "deduction_declined");
    await convert(500);
    await world.conversions.releaseReservation(started[0]?.conversionId ?? "", member.number);
    await learned(world, 200, 0, "conversion");

    await convert(300);

    expect(started.map((order) => order.checkBalanceFirst?.source)).toEqual([
      "deduction_declined",
      "conversion",
    ]);
  });

  it("keeps the saga's usual order when the balance covers the points, was learned long ago, or is unknown", async () => {
    // Prepare
    const world = fakeWorld();
    const { started, convert } = requestSide(world);

    // Act: nothing known
    const unknown = await convert(500);
    await world.conversions.releaseReservation(unknown.conversionId, member.number);
    // ...a balance that covers the points
    await learned(world, 800, 1 * minutes, "conversion");
    const covered = await convert(500);
    await world.conversions.releaseReservation(covered.conversionId, member.number);
    // ...a low balance, but learned twenty minutes ago
    world.clock.advance(30 * minutes);
    await learned(world, 100, 20 * minutes, "balance_check");
    const stale = await convert(500);

    // Assess: the saga's input is the plain order, as it always was
    for (const reserved of [unknown, covered, stale]) expect(reserved.checkBalanceFirst).toBeUndefined();
    expect(started.map((order) => "checkBalanceFirst" in order)).toEqual([false, false, false]);
  });

  it("replays a conversion as it was reserved", async () => {
    const world = fakeWorld();
    const { started, convert } = requestSide(world);
    await learned(world, 300, 1 * minutes, "balance_check");
    const first = await convert(500, "same-key-123");
    await learned(world, 5000, 0, "conversion");

    const again = await convert(500, "same-key-123");

    expect(again.conversionId).toBe(first.conversionId);
    expect(started).toEqual([orderOf(first), orderOf(first)]);
  });
});

describe("how soon the API reads the conversion again", () => {
  const intervals = { preparing: 40, settling: 10, leadMs: 100 };
  const started = "2026-11-02T01:00:00.000Z";
  const at = (ms: number) => Date.parse(started) + ms;

  it("every 40 ms while the saga prepares", () => {
    expect(nextPollIn({}, at(0), [600], intervals)).toBe(40);
  });

  it("every 10 ms from the deduction's start when no deduction was seen yet", () => {
    expect(nextPollIn({ deductionStartedAt: started }, at(5), [], intervals)).toBe(10);
  });

  it("every 40 ms until shortly before the shortest recent deduction would answer, then every 10 ms", () => {
    const recent = [640, 600, 720];
    expect(nextPollIn({ deductionStartedAt: started }, at(100), recent, intervals)).toBe(40);
    // The close reads start 100 ms before 600 ms: the wait shortens to land there.
    expect(nextPollIn({ deductionStartedAt: started }, at(480), recent, intervals)).toBe(20);
    expect(nextPollIn({ deductionStartedAt: started }, at(520), recent, intervals)).toBe(10);
    expect(nextPollIn({ deductionStartedAt: started }, at(900), recent, intervals)).toBe(10);
  });
});
