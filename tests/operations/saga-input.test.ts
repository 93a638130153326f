import { describe, expect, it } from "vitest";
import { requestConversion } from "../../shared/conversion/request";
import type { ConversionOrder } from "../../shared/conversion/saga";
import { orderOf } from "../../shared/operations/reconciler";
import type { ConversionRecord, NewConversion } from "../../shared/store";

describe("The reconciler's saga input", () => {
  it("is byte for byte what the API starts the saga with, so a running saga is recognised", async () => {
    // Prepare
    const now = new Date("2026-05-01T12:00:00.000Z");
    let reserved: ConversionRecord | undefined;
    const starts: ConversionOrder[] = [];

    // Act
    await requestConversion(
      {
        requests: {
          async reserveConversion(conversion: NewConversion) {
            reserved = {
              ...conversion,
              status: "reserved",
              createdAt: now.toISOString(),
              updatedAt: now.toISOString(),
            };
            return { outcome: "reserved", conversion: reserved };
          },
          async findByIdempotencyKey() {
            return undefined;
          },
          async getConversion() {
            return reserved;
          },
        },
        saga: {
          async start(order) {
            starts.push(order);
            return "arn";
          },
        },
        audit: { appendAuditEvent: async (event) => ({ ...event, eventId: "e", at: now.toISOString() }) },
        rules: {
          unit: 100,
          minimum: 100,
          dailyLimit: 10_000,
          currencyPerPoint: 1,
          currency: "JPY",
          validityDays: 365,
          timeZone: "Asia/Tokyo",
        },
        now: () => now,
        shopDate: () => "2026-05-01",
        waitBudgetMs: 0,
      },
      {
        customerId: "8840734670934",
        customerGid: "gid://shopify/Customer/8840734670934",
        idempotencyKey: "key-12345678",
        points: 500,
      },
    );

    // Assess
    if (!reserved) throw new Error("nothing was reserved");
    expect(starts).toHaveLength(1);
    expect(JSON.stringify(orderOf(reserved))).toBe(JSON.stringify(starts[0]));
  });
});
