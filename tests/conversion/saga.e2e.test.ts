import { randomUUID } from "node:crypto";
import { beforeEach, describe, expect, it } from "vitest";
import { expectAlerts } from "../support/expected-logs";
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

const executionOf = (conversionId: string) =>
  `${String(stack.environment.CONVERT_STATE_MACHINE_ARN).replace(":stateMachine:", ":execution:")}:${conversionId}`;

/** The conversion id of a response, failed ones included (their problem names it in the status URL). */
async function settled(conversionId: string) {
  await stack.stepFunctions.waitForExecution(executionOf(conversionId));
  const conversion = await t.conversions.getConversion(conversionId);
  if (!conversion) throw new Error(`conversion ${conversionId} not stored`);
  return conversion;
}

/** Failed conversions answer with a problem; find the conversion through the customer's list. */
async function latestConversionOf(customerId: string) {
  const page = await t.conversions.listConversionsByCustomer(customerId, { limit: 1 });
  const latest = page.items[0];
  if (!latest) throw new Error("no conversion stored");
  return settled(latest.conversionId);
}

const divisionSevenCount = () =>
  stack.smaregi.store.listTransactions({ customerId: taro.posCustomerId, division: "7" }).length;

describe("the Shopify Admin token", () => {
  it("is renewed when it expired overnight: the conversion goes through", async () => {
    // Prepare: the functions hold tokens from the client-credentials grant; a day passes
    expect((await t.convert(taro.customerId, 100)).status).toBe(201);
    const issued = stack.shopify.tokens.issuedCount;
    stack.shopify.tokens.expireAll();

    // Act
    const { status } = await t.convert(taro.customerId, 200);

    // Assess
    expect(status).toBe(201);
    expect(t.posBalance(taro.posCustomerId)).toBe(950);
    expect(await discountsOf()).toHaveLength(2);
    expect(stack.shopify.tokens.issuedCount).toBeGreaterThan(issued);
  });
});

describe("when Shopify fails while creating the coupon", () => {
  it("retries a transient failure and creates exactly one code", async () => {
    // Prepare
    stack.shopify.control.setFaults([{ operation: "discountCodeBasicCreate", kind: "http503", count: 2 }]);

    // Act
    const { status, body } = await t.convert(taro.customerId, 500);

    // Assess
    expect(status).toBe(201);
    expect(await discountsOf()).toHaveLength(1);
    expect(stack.shopify.control.snapshot().calls.discountCodeBasicCreate).toBe(3);
    expect(t.posBalance(taro.posCustomerId)).toBe(750);
    expect(body.balance).toEqual({ before: 1250, after: 750 });
  });

  it("adopts a code whose creation answer was lost instead of creating a second one", async () => {
    stack.shopify.control.setFaults([
      { operation: "discountCodeBasicCreate", kind: "commit-then-timeout", count: 1 },
    ]);

    const { status, body } = await t.convert(taro.customerId, 500);

    expect(status).toBe(201);
    const discounts = await discountsOf();
    expect(discounts).toHaveLength(1);
    expect(discounts[0]?.code).toBe((body.coupon as { code: string }).code);
    expect(t.posBalance(taro.posCustomerId)).toBe(750);
  });

  it("fails cleanly when Shopify stays down: no points taken, no code, the customer can try again", async () => {
    // Prepare
    stack.shopify.control.setFaults([{ operation: "discountCodeBasicCreate", kind: "http503" }]);

    // Act
    const failed = await t.convert(taro.customerId, 500);

    // Assess
    expect(failed.status).toBe(503);
    expect(failed.body).toMatchObject({ code: "shopify_unavailable" });
    expect(t.posBalance(taro.posCustomerId)).toBe(1250);
    expect(await discountsOf()).toHaveLength(0);
    expect((await latestConversionOf(taro.customerId)).status).toBe("failed");
    // The lease and the day's allowance were given back.
    stack.shopify.control.reset();
    expect((await t.convert(taro.customerId, 500)).status).toBe(201);
  });
});

describe("when the POS refuses or loses the deduction", () => {
  it("deletes the coupon when the POS declines (the balance fell after the check)", async () => {
    // Prepare: a store purchase spends the points between the balance check and the deduction.
    stack.shopify.control.setLatency({ discountCodeBasicCreate: 300 });
    const conversion = t.convert(taro.customerId, 500);
    await expect.poll(() => stack.smaregi.control.snapshot().calls.getPoints ?? 0).toBeGreaterThan(0);
    stack.smaregi.store.setPoints(taro.posCustomerId, { point: 100 });

    // Act
    const { status, body } = await conversion;

    // Assess
    expect(status).toBe(422);
    expect(body).toMatchObject({ code: "insufficient_points" });
    expect(await discountsOf()).toHaveLength(0);
    expect(t.posBalance(taro.posCustomerId)).toBe(100);
    const stored = await latestConversionOf(taro.customerId);
    expect(stored.status).toBe("compensated");
    expect(await t.trailOf(stored.conversionId)).toContain("coupon.discarded:succeeded");
  });

  it("deletes a code that a lost creation makes after the compensation", async () => {
    // Prepare: the POS declines (a store purchase spent the points), and once the customer has
    // heard so, an earlier creation attempt whose answer was lost reaches Shopify late.
    stack.shopify.control.setLatency({ discountCodeBasicCreate: 300 });
    const conversion = t.convert(taro.customerId, 500);
    await expect.poll(() => stack.smaregi.control.snapshot().calls.getPoints ?? 0).toBeGreaterThan(0);
    stack.smaregi.store.setPoints(taro.posCustomerId, { point: 100 });
    expect((await conversion).status).toBe(422);
    const page = await t.conversions.listConversionsByCustomer(taro.customerId, { limit: 1 });
    const refused = page.items[0];
    if (!refused) throw new Error("no conversion stored");
    expect(await discountsOf()).toHaveLength(0);
    const late = stack.shopify.store.createDiscount("basic", {
      title: `Loyalty reward 500 points #${refused.conversionId}`,
      code: refused.code,
      startsAt: refused.startsAt,
      customerSelection: { customers: { add: [`gid://shopify/Customer/${taro.customerId}`] } },
      customerGets: {
        value: { discountAmount: { amount: 500, appliesOnEachItem: false } },
        items: { all: true },
      },
      usageLimit: 1,
    });
    expect(late).toHaveProperty("discount");

    // Act: the run goes on after the answer
    const stored = await settled(refused.conversionId);

    // Assess
    expect(await discountsOf()).toHaveLength(0);
    expect(stored.status).toBe("compensated");
    expect(t.posBalance(taro.posCustomerId)).toBe(100);
    const trail = await t.trailOf(refused.conversionId);
    expect(trail.slice(-2)).toEqual(["conversion.failed:failed", "coupon.discarded:succeeded"]);
  });

  it("reads compensated when the coupon's deletion applied but its answer was lost", async () => {
    // Prepare: the POS declines (a store purchase spent the points), and Shopify deletes the code
    // but the answer never arrives, so the retried deletion finds no code.
    stack.shopify.control.setLatency({ discountCodeBasicCreate: 300 });
    stack.shopify.control.setFaults([
      { operation: "discountCodeDelete", kind: "commit-then-timeout", count: 1 },
    ]);
    const conversion = t.convert(taro.customerId, 500);
    await expect.poll(() => stack.smaregi.control.snapshot().calls.getPoints ?? 0).toBeGreaterThan(0);
    stack.smaregi.store.setPoints(taro.posCustomerId, { point: 100 });

    // Act
    const { status, body } = await conversion;

    // Assess
    expect(status).toBe(422);
    expect(body).toMatchObject({ code: "insufficient_points" });
    expect(await discountsOf()).toHaveLength(0);
    expect(t.posBalance(taro.posCustomerId)).toBe(100);
    const stored = await latestConversionOf(taro.customerId);
    expect(stored.status).toBe("compensated");
    const events = await t.audit.listAuditEvents({ type: "conversion", id: stored.conversionId });
    const discarded = events.find((event) => event.type === "coupon.discarded");
    expect(discarded).toMatchObject({ outcome: "succeeded" });
    expect(discarded?.detail).toMatch(/deleted/);
    expect(discarded?.detail).not.toMatch(/no coupon existed/);
  });

  it("completes when the deduction's answer was lost but the POS did take the points", async () => {
    // Prepare
    stack.smaregi.control.setFaults([{ operation: "addPoints", kind: "commit-then-timeout", count: 1 }]);

    // Act
    const { status, body } = await t.convert(taro.customerId, 500);

    // Assess
    expect(status).toBe(201);
    expect(t.posBalance(taro.posCustomerId)).toBe(750);
    expect(divisionSevenCount()).toBe(1);
    expect(stack.smaregi.control.snapshot().calls.addPoints).toBe(1);
    expect((await discountsOf())[0]?.status).toBe("ACTIVE");
    // The answer comes with the status; the run writes its last entries just after.
    const trail = await t.trailOf((await settled(String(body.conversionId))).conversionId);
    expect(trail).toContain("points.deducted:unknown");
    expect(trail).toContain("deduction.reconciled:succeeded");
    expect(trail).toContain("conversion.completed:succeeded");
  });

  it("compensates when the deduction's answer was lost and the POS did not take the points", async () => {
    stack.smaregi.control.setFaults([{ operation: "addPoints", kind: "timeout", count: 1 }]);

    const { status, body } = await t.convert(taro.customerId, 500);

    expect(status).toBe(503);
    expect(body).toMatchObject({ code: "pos_unavailable" });
    expect(t.posBalance(taro.posCustomerId)).toBe(1250);
    expect(divisionSevenCount()).toBe(0);
    expect(await discountsOf()).toHaveLength(0);
    expect((await latestConversionOf(taro.customerId)).status).toBe("compensated");
  });

  it("gives the points back when the POS applies the lost deduction after the conversion was compensated", async () => {
    // Prepare: the POS queues the deduction and applies it 2.5 s later, after the saga's settle
    // time (twice the 800 ms write timeout) has passed and reconciliation found nothing.
    stack.smaregi.control.setFaults([
      { operation: "addPoints", kind: "late-commit", delayMs: 2_500, count: 1 },
    ]);

    const started = new Date(Math.floor(Date.now() / 1000) * 1000);

    // Act
    const { status, body } = await t.convert(taro.customerId, 500);
    const conversion = await latestConversionOf(taro.customerId);

    // Assess: the customer was told it failed, and in the end has every point and no coupon.
    expect(status).toBe(503);
    expect(body).toMatchObject({ code: "pos_unavailable" });
    expect(t.posBalance(taro.posCustomerId)).toBe(1250);
    // This conversion's: the demo member's history is older.
    const transactions = stack.smaregi.store
      .listTransactions({ customerId: taro.posCustomerId })
      .filter((tx) => tx.transactionDateTime >= started);
    expect(
      transactions.map((tx) => [tx.transactionHeadDivision, tx.spendPoint || tx.newPoint]).sort(),
    ).toEqual([
      ["6", 500],
      ["7", 500],
    ]);
    expect(stack.smaregi.control.snapshot().calls.addPoints).toBe(2);
    expect(await discountsOf()).toHaveLength(0);
    // The conversion owns the late subtraction, so no later reconciliation takes it for its own.
    const late = transactions.find((tx) => tx.transactionHeadDivision === "7");
    expect(conversion).toMatchObject({
      status: "compensated",
      transactionHeadIds: [late?.transactionHeadId],
      failure: { code: "pos_unavailable" },
    });
    const trail = await t.trailOf(conversion.conversionId);
    expect(trail).toContain("deduction.reconciled:succeeded");
    // The late subtraction sits in the trail at the instant the POS stamped it; the return comes last.
    expect(trail).toContain("points.deducted_late:succeeded");
    expect(trail.at(-1)).toBe("points.returned:succeeded");
  });

  it("looks once more for a lost deduction after compensating, and moves nothing when none landed", async () => {
    stack.smaregi.control.setFaults([{ operation: "addPoints", kind: "timeout", count: 1 }]);

    const { status } = await t.convert(taro.customerId, 500);
    const conversion = await latestConversionOf(taro.customerId);

    expect(status).toBe(503);
    expect(t.posBalance(taro.posCustomerId)).toBe(1250);
    expect(stack.smaregi.control.snapshot().calls.addPoints).toBe(1);
    expect(conversion.transactionHeadIds).toBeUndefined();
    expect((await t.trailOf(conversion.conversionId)).at(-1)).toBe("deduction.rechecked:succeeded");
  });

  it("compensates, not parks, when a till sale listed during the lost deduction explains the balance", async () => {
    // Prepare: the deduction's answer is lost (not applied), and Taro spends 100 points at the till
    // while the saga waits to reconcile: the balance falls by 100, not by the 500 of the deduction.
    stack.smaregi.control.setFaults([{ operation: "addPoints", kind: "timeout", count: 1 }]);
    const conversion = t.convert(taro.customerId, 500);
    await expect.poll(() => stack.smaregi.control.snapshot().calls.addPoints ?? 0).toBeGreaterThan(0);
    stack.smaregi.store.recordSale(taro.posCustomerId, { spendPoint: 100, total: 1200 });

    // Act
    const { status, body } = await conversion;

    // Assess
    expect(status).toBe(503);
    expect(body).toMatchObject({ code: "pos_unavailable" });
    expect(t.posBalance(taro.posCustomerId)).toBe(1150);
    expect(divisionSevenCount()).toBe(0);
    expect(await discountsOf()).toHaveLength(0);
    const stored = await latestConversionOf(taro.customerId);
    expect(stored.status).toBe("compensated");
    expect(await t.trailOf(stored.conversionId)).toContain("deduction.reconciled:succeeded");
  });

  it("never takes a staff correction of the same size for its own lost deduction", async () => {
    // Prepare: staff take 500 points off by hand (a correction), then a conversion of 500 points
    // loses its deduction's answer and the POS did not apply it.
    const correction = await t.adminApi(`/v1/admin/customers/${taro.customerId}/point-adjustments`, {
      method: "POST",
      headers: { "content-type": "application/json", "idempotency-key": randomUUID() },
      body: JSON.stringify({ points: -500, reason: "correction", note: "till error" }),
    });
    expect(correction.status).toBe(201);
    expect(t.posBalance(taro.posCustomerId)).toBe(750);
    stack.smaregi.control.setFaults([{ operation: "addPoints", kind: "timeout", count: 1 }]);

    // Act
    const { status, body } = await t.convert(taro.customerId, 500);

    // Assess: the staff's subtraction is theirs; the conversion is undone, no coupon stays live.
    expect(status).toBe(503);
    expect(body).toMatchObject({ code: "pos_unavailable" });
    expect(t.posBalance(taro.posCustomerId)).toBe(750);
    expect(await discountsOf()).toHaveLength(0);
    expect((await latestConversionOf(taro.customerId)).status).toBe("compensated");
  });

  it("never takes another member's subtraction of the same size for its own lost deduction", async () => {
    // Prepare: moments before, another member's 500 points were taken at the till.
    expect(stack.smaregi.store.addPoints("1002", 500).kind).toBe("applied");
    expect(stack.smaregi.store.addPoints("1002", -500).kind).toBe("applied");
    stack.smaregi.control.setFaults([{ operation: "addPoints", kind: "timeout", count: 1 }]);

    // Act: Taro's deduction of 500 loses its answer and was not applied
    const { status, body } = await t.convert(taro.customerId, 500);

    // Assess: no coupon without Taro's points; the conversion is undone
    expect(status).toBe(503);
    expect(body).toMatchObject({ code: "pos_unavailable" });
    expect(t.posBalance(taro.posCustomerId)).toBe(1250);
    expect(await discountsOf()).toHaveLength(0);
    expect((await latestConversionOf(taro.customerId)).status).toBe("compensated");
  });

  it("parks the conversion for review, code inactive and admins alerted, when the POS cannot tell", async () => {
    // Prepare: the deduction's answer is lost and the POS history cannot be read afterwards.
    stack.smaregi.control.setFaults([
      { operation: "addPoints", kind: "timeout", count: 1 },
      { operation: "listTransactions", kind: "http503" },
    ]);
    const logged = expectAlerts("needs_review");

    // Act
    const { status, body } = await t.convert(taro.customerId, 500);

    // Assess
    expect(status).toBe(202);
    expect(body).toMatchObject({ status: "needs_review" });
    const stored = await settled(String(body.conversionId));
    expect(logged.lines).toEqual([expect.objectContaining({ conversionId: stored.conversionId })]);
    expect(stored.status).toBe("needs_review");
    expect(stored.reviewReason).toContain("could not be read");
    const discounts = await discountsOf();
    expect(discounts).toHaveLength(1);
    expect(discounts[0]?.status).not.toBe("ACTIVE");
    expect((await t.coupons.getCoupon(stored.code))?.status).toBe("inactive");
    // The customer is not shown a code whose points may not have been taken.
    const listed = (await (await t.api("/v1/me/coupons", { customerId: taro.customerId })).json()) as {
      coupons: Array<{ code: string }>;
    };
    expect(listed.coupons.map((coupon) => coupon.code)).not.toContain(stored.code);
    const alerts = mailTo("ops@example.com");
    expect(alerts).toHaveLength(1);
    expect(alerts[0]?.subject).toContain("needs_review");
    expect(alerts[0]?.text).toContain(stored.conversionId);
    expect(await t.trailOf(stored.conversionId)).toContain("conversion.needs_review:unknown");
    // The customer is not locked out meanwhile.
    stack.smaregi.control.reset();
    expect((await t.convert(taro.customerId, 100)).status).toBe(201);
  });

  it("compensates by the discount's id when Shopify's lookup by code fails on every call", async () => {
    stack.smaregi.control.setFaults([{ operation: "addPoints", kind: "timeout", count: 1 }]);
    stack.shopify.control.setFaults([{ operation: "codeDiscountNodeByCode", kind: "timeout" }]);

    const { status, body } = await t.convert(taro.customerId, 500);

    expect(status).toBe(503);
    expect(body).toMatchObject({ code: "pos_unavailable" });
    expect(t.posBalance(taro.posCustomerId)).toBe(1250);
    expect(await discountsOf()).toHaveLength(0);
    const page = await t.conversions.listConversionsByCustomer(taro.customerId, { limit: 1 });
    const compensated = page.items[0];
    expect(compensated?.status).toBe("compensated");
    // After the answer the run looks for a late creation of the code, by code, until Shopify answers.
    stack.shopify.control.setFaults([]);
    expect((await settled(String(compensated?.conversionId))).status).toBe("compensated");
    expect(await discountsOf()).toHaveLength(0);
  });

  it("parks for review when the compensation itself fails, with the code deactivated", async () => {
    stack.smaregi.control.setFaults([{ operation: "addPoints", kind: "timeout", count: 1 }]);
    stack.shopify.control.setFaults([{ operation: "discountCodeDelete", kind: "http503" }]);
    const alerts = expectAlerts("compensation_failed");

    const { status, body } = await t.convert(taro.customerId, 500);

    expect(status).toBe(202);
    const stored = await settled(String(body.conversionId));
    expect(stored.status).toBe("needs_review");
    expect(stored.reviewReason).toContain("compensation failed");
    expect(t.posBalance(taro.posCustomerId)).toBe(1250);
    expect((await discountsOf())[0]?.status).not.toBe("ACTIVE");
    expect(mailTo("ops@example.com")[0]?.subject).toContain("compensation_failed");
    expect(alerts.lines).toEqual([expect.objectContaining({ conversionId: stored.conversionId })]);
  });
});

describe("when the coupon record cannot be saved", () => {
  it("still gives the customer the coupon, after 3 retries, and alerts the admins", async () => {
    // Prepare
    stack.shopify.control.setFaults([{ operation: "metafieldsSet", kind: "http503" }]);
    const alerts = expectAlerts("coupon_record_not_saved");

    // Act
    const { status, body } = await t.convert(taro.customerId, 500);

    // Assess
    expect(status).toBe(201);
    const stored = await settled(String(body.conversionId));
    expect(stored.status).toBe("completed");
    expect(stored.metafieldSaved).toBeUndefined();
    expect(stack.shopify.control.snapshot().calls.metafieldsSet).toBe(4);
    expect(await t.trailOf(stored.conversionId)).toContain("coupon_record.saved:failed");
    expect(mailTo("ops@example.com")[0]?.subject).toContain("coupon_record_not_saved");
    expect(alerts.lines).toEqual([expect.objectContaining({ conversionId: stored.conversionId })]);
    expect(t.posBalance(taro.posCustomerId)).toBe(750);
  });
});
