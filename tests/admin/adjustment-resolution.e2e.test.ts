import { randomUUID } from "node:crypto";
import { beforeEach, describe, expect, it } from "vitest";
import { expectAlerts } from "../support/expected-logs";
import { taro, useTestStack } from "../support/local-stack";
import { staffApi } from "./staff";

/**
 * Staff settle a point adjustment the service parked because the POS could not tell whether it
 * landed: listed in the review queue, refused when the POS contradicts the admin, recorded once,
 * and never a second change on the POS.
 */
const t = await useTestStack({ environment: { ADJUSTMENT_SETTLE_MS: "100" } });
const { stack } = t;
const asStaff = staffApi(stack.urls.api);
const adjustments = `/v1/admin/customers/${taro.customerId}/point-adjustments`;

beforeEach(() => {
  stack.smaregi.control.reset();
  stack.smaregi.store.reset();
  stack.ses.emails.clear();
});

async function call(path: string, body: unknown, key = randomUUID(), role: "admin" | "viewer" = "admin") {
  const response = await asStaff(role, path, {
    method: "POST",
    headers: { "content-type": "application/json", "idempotency-key": key },
    body: JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

/** A 500-point grant whose answer was lost while the POS history could not be read. */
async function parkedGrant(landed: boolean) {
  // Parking alerts the admins: the line is captured and checked, not printed.
  const alerts = expectAlerts("needs_review");
  stack.smaregi.control.setFaults([
    { operation: "addPoints", kind: landed ? "commit-then-timeout" : "timeout", count: 1 },
    { operation: "listTransactions", kind: "http503" },
  ]);
  const key = randomUUID();
  const parked = await call(adjustments, { points: 500, reason: "goodwill" }, key);
  stack.smaregi.control.reset();
  expect(parked.body).toMatchObject({ status: "needs_review" });
  expect(alerts.lines).toEqual([expect.objectContaining({ adjustmentId: parked.body.adjustmentId })]);
  return { key, adjustmentId: String(parked.body.adjustmentId) };
}

const resolve = (
  adjustmentId: string,
  outcome: string,
  key = randomUUID(),
  role: "admin" | "viewer" = "admin",
) =>
  call(
    `${adjustments}/${adjustmentId}/resolution`,
    { outcome, note: "checked the POS history at the till" },
    key,
    role,
  );

const trailOf = async (adjustmentId: string) =>
  (await t.audit.listAuditEvents({ type: "customer", id: taro.customerId }))
    .filter((event) => event.data?.adjustmentId === adjustmentId)
    .map((event) => `${event.type}:${event.outcome}`);

const queue = async () => {
  const response = await asStaff("viewer", "/v1/admin/point-adjustments");
  expect(response.status).toBe(200);
  return ((await response.json()) as { adjustments: { adjustmentId: string; status: string }[] }).adjustments;
};

describe("resolving a parked point adjustment", () => {
  it("lists it for review, refuses what the POS contradicts, and records it applied once", async () => {
    // Prepare: the grant landed on the POS although its answer was lost.
    const { key, adjustmentId } = await parkedGrant(true);
    expect(t.posBalance(taro.posCustomerId)).toBe(1750);
    const listed = await queue();

    // Act
    const contradicted = await resolve(adjustmentId, "points_not_changed");
    const resolutionKey = randomUUID();
    const resolved = await resolve(adjustmentId, "points_changed", resolutionKey);
    const replayed = await resolve(adjustmentId, "points_changed", resolutionKey);
    const original = await call(adjustments, { points: 500, reason: "goodwill" }, key);

    // Assess
    expect(listed).toEqual(
      expect.arrayContaining([expect.objectContaining({ adjustmentId, status: "needs_review" })]),
    );
    expect(contradicted.status).toBe(409);
    expect(contradicted.body).toMatchObject({ code: "resolution_contradicts_pos", posEvidence: "applied" });
    expect(resolved.status).toBe(200);
    expect(resolved.body).toMatchObject({
      adjustmentId,
      customerId: taro.customerId,
      status: "applied",
      points: 500,
      resolvedBy: "ops@example.com",
    });
    expect(replayed).toEqual(resolved);
    // The original request now answers with the recorded change; the POS saw one addition only.
    expect(original.status).toBe(201);
    expect(original.body).toMatchObject({ status: "applied", balanceAfter: 1750 });
    expect((original.body.transactionHeadIds as string[]).length).toBe(1);
    expect(stack.smaregi.control.snapshot().calls.addPoints ?? 0).toBe(0);
    expect(t.posBalance(taro.posCustomerId)).toBe(1750);
    expect((await queue()).map((adjustment) => adjustment.adjustmentId)).not.toContain(adjustmentId);
    const trail = await trailOf(adjustmentId);
    expect(trail.filter((event) => event === "points.adjustment_resolved:succeeded")).toHaveLength(1);
    expect(trail).toContain("points.adjustment_resolution_refused:failed");
  });

  it("records one that did not land as not applied, so the same request sends it once", async () => {
    // Prepare: nothing reached the POS.
    const { key, adjustmentId } = await parkedGrant(false);
    expect(t.posBalance(taro.posCustomerId)).toBe(1250);

    // Act
    const contradicted = await resolve(adjustmentId, "points_changed");
    const resolved = await resolve(adjustmentId, "points_not_changed");
    const again = await call(adjustments, { points: 500, reason: "goodwill" }, key);
    const twice = await call(adjustments, { points: 500, reason: "goodwill" }, key);

    // Assess
    expect(contradicted.body).toMatchObject({
      code: "resolution_contradicts_pos",
      posEvidence: "not_applied",
    });
    expect(resolved.status).toBe(200);
    expect(resolved.body).toMatchObject({ adjustmentId, status: "not_applied" });
    expect(again.status).toBe(201);
    expect(twice.body).toEqual(again.body);
    expect(stack.smaregi.control.snapshot().calls.addPoints).toBe(1);
    expect(t.posBalance(taro.posCustomerId)).toBe(1750);
  });

  it("refuses viewers, unknown adjustments and a second resolution, changing nothing", async () => {
    // Prepare
    const { adjustmentId } = await parkedGrant(false);

    // Act
    const viewer = await resolve(adjustmentId, "points_not_changed", randomUUID(), "viewer");
    const unknown = await resolve(randomUUID(), "points_not_changed");
    const malformed = await resolve("not-an-id", "points_not_changed");
    const first = await resolve(adjustmentId, "points_not_changed");
    const second = await resolve(adjustmentId, "points_not_changed");

    // Assess
    expect(viewer.status).toBe(403);
    expect(unknown).toMatchObject({ status: 404, body: { code: "adjustment_not_found" } });
    expect(malformed).toMatchObject({ status: 400, body: { code: "invalid_request" } });
    expect(first.status).toBe(200);
    expect(second).toMatchObject({
      status: 409,
      body: { code: "adjustment_not_in_review", currentStatus: "not_applied" },
    });
    expect(t.posBalance(taro.posCustomerId)).toBe(1250);
  });
});
