import { describe, expect, it } from "vitest";
import { type CancellationRecord, cancellationIdOf } from "../../shared/cancellation/records";
import { type CancellationRequestDependencies, requestCancellation } from "../../shared/cancellation/request";
import type { CouponRecord } from "../../shared/store";

/**
 * The API side of a cancellation with in-memory stores, for interleavings the end-to-end suite
 * only meets by chance under load.
 */
const code = "70934-AB12CD-500";
const key = "5f0c1a2e-1111-4222-8333-944455556666";
const at = "2026-12-01T00:00:00.000Z";
const admin = { id: "admin-sub", email: "ops@example.com", roles: ["admin" as const] };

const coupon: CouponRecord = {
  code,
  conversionId: "AB12CD",
  customerId: "8840734670934",
  customerGid: "gid://shopify/Customer/8840734670934",
  discountId: "gid://shopify/DiscountCodeNode/1",
  amount: 500,
  currency: "JPY",
  pointsUsed: 500,
  type: "fixed_discount",
  status: "cancelling",
  startsAt: at,
  expiresAt: "2099-12-01T00:00:00.000Z",
  createdAt: at,
  updatedAt: at,
};

describe("requestCancellation", () => {
  it("answers a replay that read the coupon after its twin claimed it, but the record before", async () => {
    // Prepare: the twin request with the same key has claimed the coupon and finished; this
    // request's first read of the cancellation ran just before the twin's claim was written.
    const first = await firstRequestRecord();
    let cancellationReads = 0;
    const deps: CancellationRequestDependencies = {
      coupons: { getCoupon: async () => coupon },
      cancellations: {
        getCancellation: async () => (cancellationReads++ === 0 ? undefined : first),
        beginCancellation: async () => {
          throw new Error("a replay must not claim the coupon again");
        },
      },
      saga: { start: async () => "execution" },
      audit: { appendAuditEvent: async (event) => ({ eventId: "event", at, ...event }) },
      now: () => new Date(at),
      waitBudgetMs: 0,
    };

    // Act
    const answer = await requestCancellation(deps, {
      code,
      idempotencyKey: key,
      reason: "customer_request",
      admin,
    });

    // Assess: the twin's outcome, not "cancellation in progress"
    expect(answer).toEqual(first);
  });
});

/** The record the first request stored, with the request hash it computed. */
async function firstRequestRecord(): Promise<CancellationRecord> {
  let stored: CancellationRecord | undefined;
  await requestCancellation(
    {
      coupons: { getCoupon: async () => ({ ...coupon, status: "active" }) },
      cancellations: {
        getCancellation: async () => stored,
        beginCancellation: async (request) => {
          stored = { ...request, status: "cancelled", refundedPoints: 500, createdAt: at, updatedAt: at };
          return { outcome: "started", cancellation: stored };
        },
      },
      saga: { start: async () => "execution" },
      audit: { appendAuditEvent: async (event) => ({ eventId: "event", at, ...event }) },
      now: () => new Date(at),
      waitBudgetMs: 0,
    },
    { code, idempotencyKey: key, reason: "customer_request", admin },
  );
  if (!stored) throw new Error("the first request stored nothing");
  expect(stored.cancellationId).toBe(cancellationIdOf(code, key));
  return stored;
}
