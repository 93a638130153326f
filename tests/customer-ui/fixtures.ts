import type { Catalog, ConversionView, CouponsPage, PointsSummary } from "../../customer-ui/core";
import { conversionViewSchema, couponsPageSchema, pointsSummarySchema } from "../../shared/api/customer";
import { catalogSchema } from "../../shared/api/rewards";

/**
 * API answers for tests that do not run the stack, each parsed by the API's own response schema so
 * a fixture cannot drift from what the API sends.
 */

export const taroPoints = (overrides: Partial<PointsSummary> = {}): PointsSummary =>
  pointsSummarySchema.parse({
    customerId: "8840734670934",
    memberNumber: "8840734670934",
    balance: 1250,
    expiresOn: "2027-12-04",
    rank: "Gold",
    display: { balance: "1,250", expiresOn: "2027年12月4日", rank: "ゴールド会員" },
    history: [
      { date: "2026-12-01", description: "お買い上げ（渋谷）", points: 150, kind: "purchase" },
      { date: "2026-11-05", description: "ポイント加算", points: 500, kind: "added" },
    ],
    ...overrides,
  });

export const catalog = (balance = 1250): Catalog =>
  catalogSchema.parse({
    balance,
    registered: true,
    rewards: [
      {
        rewardId: "free-shipping",
        name: { ja: "送料無料クーポン", en: "Free shipping" },
        description: { ja: "300ポイントで送料無料", en: "300 points: free shipping on orders over ¥3,000" },
        cost: { kind: "fixed", points: 300 },
        coupon: { type: "free_shipping", minOrderValue: 3000, validityDays: 30, usageLimit: 1 },
        pointsRequired: 300,
        affordable: balance >= 300,
        pointsMissing: Math.max(0, 300 - balance),
      },
      {
        rewardId: "ten-percent-off",
        name: { ja: "10%オフクーポン", en: "10% off" },
        description: { ja: "1,000ポイントで10%オフ", en: "1,000 points: 10% off orders over ¥5,000" },
        cost: { kind: "fixed", points: 1000 },
        coupon: { type: "percentage_discount", percentage: 10, minOrderValue: 5000, usageLimit: 1 },
        pointsRequired: 1000,
        affordable: balance >= 1000,
        pointsMissing: Math.max(0, 1000 - balance),
      },
      {
        rewardId: "tote-bag",
        name: { ja: "オリジナルトートバッグ", en: "A free tote bag" },
        description: { ja: "800ポイントでトートバッグ", en: "800 points: a free tote bag with any purchase" },
        cost: { kind: "fixed", points: 8000 },
        coupon: { type: "free_product", usageLimit: 1 },
        pointsRequired: 8000,
        affordable: balance >= 8000,
        pointsMissing: Math.max(0, 8000 - balance),
      },
    ],
  });

export const coupons = (): CouponsPage =>
  couponsPageSchema.parse({
    coupons: [
      {
        code: "70934-OLD111-300",
        status: "used",
        amount: 300,
        currency: "JPY",
        pointsUsed: 300,
        type: "fixed_discount",
        startsAt: "2026-10-01T00:00:00Z",
        expiresAt: "2027-10-01T00:00:00Z",
        createdAt: "2026-10-01T00:00:00Z",
        usedAt: "2026-10-02T00:00:00Z",
      },
    ],
  });

export const completed = (points = 500, before = 1250): ConversionView =>
  conversionViewSchema.parse({
    conversionId: "cnv_AAAAAAAAAAAAAAAAAAAA",
    status: "completed",
    coupon: {
      code: `70934-AB12CD-${points}`,
      amount: points,
      currency: "JPY",
      pointsUsed: points,
      startsAt: "2026-12-04T00:00:00Z",
      expiresAt: "2027-12-04T00:00:00Z",
    },
    balance: { before, after: before - points },
  });

export const pending = (): ConversionView =>
  conversionViewSchema.parse({ conversionId: "cnv_AAAAAAAAAAAAAAAAAAAA", status: "pending" });

export const problem = (status: number, code: string, detail = code, headers: Record<string, string> = {}) =>
  new Response(JSON.stringify({ type: `/problems/${code}`, title: code, status, detail, code }), {
    status,
    headers: { "content-type": "application/problem+json", ...headers },
  });

export const ok = (body: unknown, status = 200, headers: Record<string, string> = {}) =>
  new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json", ...headers } });
