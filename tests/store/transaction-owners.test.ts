import { randomInt, randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import { DynamoConversionStore, DynamoCouponStore } from "../../shared/adapters/dynamodb";
import { DynamoAdjustmentStore } from "../../shared/adapters/dynamodb/adjustments";
import { DynamoTransactionOwners } from "../../shared/adapters/dynamodb/transaction-owners";
import { claimedTransactions } from "../../shared/pos/evidence";
import { useTestTables } from "../setup/dynamodb";

const { client, names } = await useTestTables();
const options = { client, tableName: names.loyalty };

/** One customer with a deduction, a refund and an adjustment on record, written by the stores. */
async function customerWithOwnedTransactions() {
  const customerId = String(randomInt(1_000_000_000, 9_999_999_999));
  const conversionId = randomUUID();
  const code = `${customerId.slice(-5)}-${conversionId.slice(0, 6).toUpperCase()}-500`;
  const conversions = new DynamoConversionStore(options);
  await conversions.reserveConversion({
    conversionId,
    customerId,
    customerGid: `gid://shopify/Customer/${customerId}`,
    memberNumber: customerId,
    points: 500,
    amount: 500,
    currency: "JPY",
    code,
    idempotencyKey: randomUUID(),
    requestHash: "hash-500",
    shopDate: "2025-06-01",
    startsAt: "2025-06-01T03:00:00.000Z",
    expiresAt: "2026-06-01T03:00:00.000Z",
  });
  await conversions.updateConversion(conversionId, ["reserved"], {
    status: "completed",
    transactionHeadIds: ["9001"],
  });
  const coupons = new DynamoCouponStore(options);
  await coupons.putCoupon({
    code,
    conversionId,
    customerId,
    customerGid: `gid://shopify/Customer/${customerId}`,
    discountId: "gid://shopify/DiscountCodeNode/1",
    amount: 500,
    currency: "JPY",
    pointsUsed: 500,
    type: "fixed_discount",
    status: "active",
    startsAt: "2025-06-01T03:00:00.000Z",
    expiresAt: "2026-06-01T03:00:00.000Z",
  });
  await coupons.updateCouponStatus(code, ["active"], { refundTransactionHeadIds: ["9002"] });
  const adjustmentId = randomUUID();
  await new DynamoAdjustmentStore(options).create({
    adjustmentId,
    customerId,
    idempotencyKey: randomUUID(),
    requestHash: "hash-adjustment",
    points: 100,
    reason: "goodwill",
    requestedBy: "admin-1",
    requestedByLabel: "admin@example.com",
    posCustomerId: "77",
    status: "applied",
    attempts: 1,
    firstAttemptAt: "2025-06-02T03:00:00.000Z",
    attemptStartedAt: "2025-06-02T03:00:00.000Z",
    transactionHeadIds: ["9003"],
  });
  return { customerId, conversionId, code, adjustmentId, stores: { conversions, coupons } };
}

describe("DynamoTransactionOwners", () => {
  it("reads each owner's transactions as the stores list them, so the claimed set is the same", async () => {
    // Prepare
    const { customerId, conversionId, code, adjustmentId, stores } = await customerWithOwnedTransactions();
    const owners = new DynamoTransactionOwners(options);
    const fromStores = claimedTransactions({
      ...stores,
      adjustments: new DynamoAdjustmentStore(options),
    });

    // Act
    const conversions = await owners.conversions.listConversionsByCustomer(customerId, { limit: 100 });
    const coupons = await owners.coupons.listCouponsByCustomer(customerId, { limit: 100 });
    const adjustments = await owners.adjustments.listByCustomer(customerId, 100);
    const claimed = claimedTransactions(owners);

    // Assess
    expect(conversions.items).toEqual([{ conversionId, transactionHeadIds: ["9001"] }]);
    expect(coupons.items).toEqual([{ code, refundTransactionHeadIds: ["9002"] }]);
    expect(adjustments).toEqual([{ adjustmentId, transactionHeadIds: ["9003"] }]);
    for (const except of [
      { kind: "conversion", id: conversionId },
      { kind: "coupon", id: code },
      { kind: "adjustment", id: adjustmentId },
    ] as const) {
      expect(await claimed.of(customerId, except)).toEqual(await fromStores.of(customerId, except));
    }
    expect([...(await claimed.of(customerId, { kind: "coupon", id: code }))].sort()).toEqual([
      "9001",
      "9003",
    ]);
  });
});
