import { randomUUID } from "node:crypto";
import { beforeEach, describe, expect, it } from "vitest";
import { expectAlerts } from "../support/expected-logs";
import { taro, useTestStack } from "../support/local-stack";
import { staffApi } from "./staff";

/**
 * Manual point grants by shop staff against the Smaregi emulator: applied once per key whatever
 * the POS does, reconciled when its answer is lost, parked for review when it cannot tell.
 */
const t = await useTestStack({ environment: { ADJUSTMENT_SETTLE_MS: "100" } });
const { stack } = t;
const asStaff = staffApi(stack.urls.api);
const path = `/v1/admin/customers/${taro.customerId}/point-adjustments`;

beforeEach(() => {
  stack.smaregi.control.reset();
  stack.smaregi.store.reset();
  stack.ses.emails.clear();
  seededTransactions = new Set(
    stack.smaregi.store
      .listTransactions({ customerId: taro.posCustomerId })
      .map((tx) => tx.transactionHeadId),
  );
});

async function adjust(body: Record<string, unknown>, key = randomUUID(), role: "admin" | "viewer" = "admin") {
  const response = await asStaff(role, path, {
    method: "POST",
    headers: { "content-type": "application/json", "idempotency-key": key },
    body: JSON.stringify(body),
  });
  return {
    status: response.status,
    retryAfter: response.headers.get("retry-after"),
    body: (await response.json()) as Record<string, unknown>,
  };
}

/** Point transactions of a division made since the demo data was reset (which seeds some). */
let seededTransactions = new Set<string>();
const transactionsOf = (division: "6" | "7") =>
  stack.smaregi.store
    .listTransactions({ customerId: taro.posCustomerId, division })
    .filter((transaction) => !seededTransactions.has(transaction.transactionHeadId));

const customerTrail = async () =>
  (await t.audit.listAuditEvents({ type: "customer", id: taro.customerId })).map(
    (event) => `${event.type}:${event.outcome}`,
  );

describe("granting points by hand", () => {
  it("adds the points on the POS and records who did it, why and how it went", async () => {
    // Act
    const { status, body } = await adjust({
      points: 300,
      reason: "order_cancelled_coupon_used",
      note: "order #1042",
    });

    // Assess
    expect(status).toBe(201);
    expect(body).toMatchObject({
      status: "applied",
      customerId: taro.customerId,
      points: 300,
      reason: "order_cancelled_coupon_used",
      note: "order #1042",
      balanceAfter: 1550,
      requestedBy: "ops@example.com",
    });
    expect(body.transactionHeadIds).toEqual([transactionsOf("6")[0]?.transactionHeadId]);
    expect(t.posBalance(taro.posCustomerId)).toBe(1550);
    const events = await t.audit.listAuditEvents({ type: "customer", id: taro.customerId });
    const applied = events.filter((event) => event.data?.adjustmentId === body.adjustmentId);
    expect(applied.map((event) => `${event.type}:${event.outcome}`)).toEqual([
      "points.adjustment_requested:succeeded",
      "points.adjusted:succeeded",
    ]);
    expect(applied[1]).toMatchObject({
      actor: { kind: "admin", id: "ops@example.com" },
      data: { points: 300, reason: "order_cancelled_coupon_used", note: "order #1042" },
      externalIds: { smaregiTransactionHeadIds: body.transactionHeadIds },
    });
  });

  it("takes points away for a correction", async () => {
    const { status, body } = await adjust({ points: -200, reason: "correction" });

    expect(status).toBe(201);
    expect(body).toMatchObject({ points: -200, balanceAfter: 1050 });
    expect(t.posBalance(taro.posCustomerId)).toBe(1050);
    expect(transactionsOf("7")).toHaveLength(1);
  });

  it("grants once per Idempotency-Key, also when replays arrive at the same time", async () => {
    const key = randomUUID();
    const first = await adjust({ points: 100, reason: "goodwill" }, key);
    const [again, concurrent] = await Promise.all([
      adjust({ points: 100, reason: "goodwill" }, key),
      adjust({ points: 100, reason: "goodwill" }, key),
    ]);

    expect([first.status, again.status, concurrent.status]).toEqual([201, 201, 201]);
    expect(again.body.adjustmentId).toBe(first.body.adjustmentId);
    expect(t.posBalance(taro.posCustomerId)).toBe(1350);
    expect(transactionsOf("6")).toHaveLength(1);
  });

  it("lets only one of two simultaneous first requests with one key reach the POS", async () => {
    stack.smaregi.control.setLatency({ addPoints: 300 });
    const key = randomUUID();

    const answers = await Promise.all([
      adjust({ points: 100, reason: "goodwill" }, key),
      adjust({ points: 100, reason: "goodwill" }, key),
    ]);

    // The loser sees the attempt in flight and is told to come back; it never sends a second change.
    expect(answers.map((answer) => answer.status).sort()).toEqual([201, 409]);
    expect(answers.find((answer) => answer.status === 409)?.body).toMatchObject({
      code: "adjustment_in_progress",
    });
    expect(stack.smaregi.control.snapshot().calls.addPoints).toBe(1);
    expect(t.posBalance(taro.posCustomerId)).toBe(1350);
  });

  it("refuses the same key for a different adjustment", async () => {
    const key = randomUUID();
    await adjust({ points: 100, reason: "goodwill" }, key);

    const other = await adjust({ points: 900, reason: "goodwill" }, key);

    expect(other.status).toBe(422);
    expect(other.body).toMatchObject({ code: "idempotency_key_reused" });
    expect(t.posBalance(taro.posCustomerId)).toBe(1350);
  });

  it.each([
    [{ points: 0, reason: "goodwill" }, "points"],
    [{ points: 1.5, reason: "goodwill" }, "points"],
    [{ points: 1_000_000, reason: "goodwill" }, "points"],
    [{ points: 100, reason: "because" }, "reason"],
    [{ points: 100 }, "reason"],
  ])("refuses %j naming %s", async (body, field) => {
    const answer = await adjust(body);

    expect(answer.status).toBe(400);
    expect(String(answer.body.detail)).toContain(field);
    expect(t.posBalance(taro.posCustomerId)).toBe(1250);
  });

  it("requires an Idempotency-Key and a registered member", async () => {
    const keyless = await asStaff("admin", path, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ points: 100, reason: "goodwill" }),
    });
    const unknown = await asStaff("admin", "/v1/admin/customers/8840734670936/point-adjustments", {
      method: "POST",
      headers: { "content-type": "application/json", "idempotency-key": randomUUID() },
      body: JSON.stringify({ points: 100, reason: "goodwill" }),
    });

    expect(keyless.status).toBe(400);
    expect(((await keyless.json()) as { code: string }).code).toBe("idempotency_key_required");
    expect(unknown.status).toBe(404);
    expect(((await unknown.json()) as { code: string }).code).toBe("not_registered");
  });
});

describe("when the POS answer is lost", () => {
  it("finds the applied change in the POS transactions and does not add it again", async () => {
    // Prepare: the POS applies the change and never answers.
    stack.smaregi.control.setFaults([{ operation: "addPoints", kind: "commit-then-timeout", count: 1 }]);
    const key = randomUUID();

    // Act
    const { status, body } = await adjust({ points: 400, reason: "goodwill" }, key);
    const replay = await adjust({ points: 400, reason: "goodwill" }, key);

    // Assess
    expect(status).toBe(201);
    expect(body).toMatchObject({ status: "applied", balanceAfter: 1650 });
    expect(body.transactionHeadIds).toEqual([transactionsOf("6")[0]?.transactionHeadId]);
    expect(replay.body.adjustmentId).toBe(body.adjustmentId);
    expect(t.posBalance(taro.posCustomerId)).toBe(1650);
    expect(stack.smaregi.control.snapshot().calls.addPoints).toBe(1);
    expect(await customerTrail()).toEqual(
      expect.arrayContaining(["points.adjusted:unknown", "points.adjustment_reconciled:succeeded"]),
    );
  });

  it("answers 503 when the change was not applied, and a replay with the same key applies it once", async () => {
    // Prepare: the POS takes the request and neither applies nor answers it.
    stack.smaregi.control.setFaults([{ operation: "addPoints", kind: "timeout", count: 1 }]);
    const key = randomUUID();

    // Act: a replay at once, while the lost request could still land (twice the 800 ms write
    // timeout after it started), then one after the Retry-After.
    const first = await adjust({ points: 250, reason: "goodwill" }, key);
    const early = await adjust({ points: 250, reason: "goodwill" }, key);
    const sentBeforeRetryAfter = stack.smaregi.control.snapshot().calls.addPoints;
    await new Promise((resolve) => setTimeout(resolve, Number(early.retryAfter) * 1000));
    const balanceBetween = t.posBalance(taro.posCustomerId);
    const replay = await adjust({ points: 250, reason: "goodwill" }, key);
    const again = await adjust({ points: 250, reason: "goodwill" }, key);

    // Assess
    expect(first.status).toBe(503);
    expect(first.body).toMatchObject({ code: "adjustment_not_applied" });
    expect(early.status).toBe(503);
    expect(early.body.detail).toContain("may still reach it");
    expect(Number(early.retryAfter)).toBeGreaterThanOrEqual(1);
    expect(sentBeforeRetryAfter).toBe(1);
    expect(balanceBetween).toBe(1250);
    expect(replay.status).toBe(201);
    expect(replay.body).toMatchObject({ status: "applied", balanceAfter: 1500 });
    expect(again.body.adjustmentId).toBe(replay.body.adjustmentId);
    expect(t.posBalance(taro.posCustomerId)).toBe(1500);
    expect(transactionsOf("6")).toHaveLength(1);
    expect(stack.smaregi.control.snapshot().calls.addPoints).toBe(2);
    expect(await customerTrail()).toEqual(
      expect.arrayContaining([
        "points.adjusted:unknown",
        "points.adjustment_reconciled:succeeded",
        "points.adjustment_retried:succeeded",
        "points.adjusted:succeeded",
      ]),
    );
  });

  it("parks the adjustment for review and alerts the admins when the POS cannot be read", async () => {
    // Prepare
    stack.smaregi.control.setFaults([
      { operation: "addPoints", kind: "timeout", count: 1 },
      { operation: "listTransactions", kind: "http503" },
    ]);
    const key = randomUUID();
    const logged = expectAlerts("needs_review");

    // Act
    const { status, body } = await adjust({ points: 500, reason: "goodwill" }, key);
    stack.smaregi.control.reset();
    const replay = await adjust({ points: 500, reason: "goodwill" }, key);

    // Assess
    expect(status).toBe(202);
    expect(body).toMatchObject({
      status: "needs_review",
      reviewReason: expect.stringContaining("could not be read"),
    });
    // A person decides now: the replay neither sends nor guesses.
    expect(replay.status).toBe(202);
    expect(stack.smaregi.control.snapshot().calls.addPoints ?? 0).toBe(0);
    const alerts = stack.ses.emails.list({ to: "ops@example.com" });
    expect(alerts).toHaveLength(1);
    expect(alerts[0]?.subject).toContain("needs_review");
    expect(alerts[0]?.text).toContain(String(body.adjustmentId));
    expect(logged.lines).toEqual([expect.objectContaining({ adjustmentId: body.adjustmentId })]);
    expect(await customerTrail()).toContain("points.adjustment_needs_review:unknown");
  });
});
