import { describe, expect, it } from "vitest";
import {
  COUPON_RECORD_MAX_ENTRIES,
  withEntry,
  withIssuedEntry,
} from "../../shared/adapters/shopify/coupon-records";
import type { CouponRecordEntry } from "../../shared/ports";

const entry = (code: string, createdAt: string, status = "active"): CouponRecordEntry => ({
  code,
  amount: 500,
  currency: "JPY",
  points_used: 500,
  created_at: createdAt,
  expires_at: "2027-11-29T00:00:00.000Z",
  status,
  discount_id: `gid://shopify/DiscountCodeNode/${code}`,
  conversion_id: `conv-${code}`,
});

describe("the customer's coupon record", () => {
  it("lists coupons newest first and replaces an entry of the same code", () => {
    const record = withEntry(
      withEntry(withEntry(null, entry("A", "2026-11-01T00:00:00Z")), entry("B", "2026-11-02T00:00:00Z")),
      { ...entry("A", "2026-11-01T00:00:00Z"), amount: 700 },
    );
    expect(record.coupons.map((c) => [c.code, c.amount])).toEqual([
      ["B", 500],
      ["A", 700],
    ]);
  });

  it("keeps only the most recent entries", () => {
    let record = null;
    for (let day = 1; day <= COUPON_RECORD_MAX_ENTRIES + 5; day += 1) {
      record = withEntry(record, entry(`C${day}`, new Date(Date.UTC(2026, 0, day)).toISOString()));
    }
    expect(record?.coupons).toHaveLength(COUPON_RECORD_MAX_ENTRIES);
    expect(record?.coupons[0]?.code).toBe(`C${COUPON_RECORD_MAX_ENTRIES + 5}`);
  });

  it("does not turn a coupon used at checkout back into active when the saga's write lands late", () => {
    const usedFirst = withEntry(null, entry("70934-AB12CD-500", "2026-11-29T00:00:00Z", "used"));
    const record = withIssuedEntry(usedFirst, entry("70934-AB12CD-500", "2026-11-29T00:00:00Z"));
    expect(record.coupons).toHaveLength(1);
    expect(record.coupons[0]?.status).toBe("used");
  });

  it("writes the issued coupon as active when nothing else has been recorded for it", () => {
    const record = withIssuedEntry(
      withEntry(null, entry("OTHER", "2026-11-01T00:00:00Z", "cancelled")),
      entry("NEW", "2026-11-29T00:00:00Z"),
    );
    expect(record.coupons.map((c) => [c.code, c.status])).toEqual([
      ["NEW", "active"],
      ["OTHER", "cancelled"],
    ]);
  });

  it("lets a cancellation or a checkout replace the status the saga wrote", () => {
    const issued = withIssuedEntry(null, entry("70934-AB12CD-500", "2026-11-29T00:00:00Z"));
    const cancelled = withIssuedEntry(issued, entry("70934-AB12CD-500", "2026-11-29T00:00:00Z", "cancelled"));
    expect(cancelled.coupons.map((c) => c.status)).toEqual(["cancelled"]);
  });
});
