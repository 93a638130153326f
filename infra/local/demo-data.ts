/**
 * Demo shop and customers shared by the Shopify and Smaregi emulators, so that the local stack
 * starts with a coherent pair of systems: the Shopify customer's numeric id is the member number
 * stored in Smaregi's customer code.
 */

import type { RewardInput } from "../../shared/rewards/model";

export const demoShop = {
  domain: "loyalty-demo.myshopify.com",
  name: "Loyalty Demo Store",
  currency: "JPY",
} as const;

/** Local-only credentials; production values come from Secrets Manager. */
export const demoCredentials = {
  /** A static token, as an old custom app has; the local stack uses the client-credentials grant. */
  shopifyAdminToken: "shpat_local_demo_admin_token",
  shopifyAppSecret: "local-demo-app-secret",
  shopifyClientId: "local-demo-client-id",
  smaregiContractId: "sb_demo0001",
  smaregiClientId: "local-demo-smaregi-client",
  smaregiClientSecret: "local-demo-smaregi-secret",
} as const;

export interface DemoHistoryEntry {
  /** Days before today. */
  daysAgo: number;
  /** Smaregi transaction division: 1 sale (earns points), 6 points added, 7 points used, 8 expired. */
  division: "1" | "6" | "7" | "8";
  points: number;
  storeName?: string;
  total?: number;
}

export interface DemoCustomer {
  shopifyId: string;
  firstName: string;
  lastName: string;
  email: string;
  locale: "en" | "ja";
  /** Absent when the customer is not registered at the store (POS). */
  pos?: {
    customerId: string;
    rank: string;
    points: number;
    /** Days from today until the points expire. */
    expiresInDays: number;
    history: DemoHistoryEntry[];
  };
}

export const demoCustomers: readonly DemoCustomer[] = [
  {
    shopifyId: "8840734670934",
    firstName: "Taro",
    lastName: "Yamada",
    email: "taro.yamada@example.com",
    locale: "ja",
    pos: {
      customerId: "1001",
      rank: "Gold",
      points: 1250,
      expiresInDays: 365,
      history: [
        { daysAgo: 3, division: "1", points: 150, storeName: "Shibuya", total: 15000 },
        { daysAgo: 12, division: "1", points: 400, storeName: "Shinjuku", total: 40000 },
        { daysAgo: 29, division: "6", points: 500 },
        { daysAgo: 45, division: "1", points: 200, storeName: "Shibuya", total: 20000 },
      ],
    },
  },
  {
    shopifyId: "8840734670935",
    firstName: "Hanako",
    lastName: "Suzuki",
    email: "hanako.suzuki@example.com",
    locale: "en",
    pos: {
      customerId: "1002",
      rank: "Regular",
      points: 0,
      expiresInDays: 365,
      // Another member's purchases and subtraction in the same weeks as Taro's: a history or a
      // reconciliation that does not filter by member shows them.
      history: [
        { daysAgo: 2, division: "7", points: 300 },
        { daysAgo: 12, division: "1", points: 300, storeName: "Shibuya", total: 30000 },
      ],
    },
  },
  {
    shopifyId: "8840734670936",
    firstName: "Jiro",
    lastName: "Tanaka",
    email: "jiro.tanaka@example.com",
    locale: "en",
  },
];

export const demoCustomerGid = (shopifyId: string) => `gid://shopify/Customer/${shopifyId}`;

/**
 * The demo reward catalog: one reward of each coupon type (and a variable one). Product and
 * collection ids are the demo shop's; the emulator accepts any well-formed id.
 */
export const demoRewards: ReadonlyArray<RewardInput & { rewardId: string }> = [
  {
    rewardId: "free-shipping",
    name: { ja: "送料無料クーポン", en: "Free shipping" },
    description: {
      ja: "300ポイントで送料無料（3,000円以上のご注文）",
      en: "300 points: free shipping on orders over ¥3,000",
    },
    cost: { kind: "fixed", points: 300 },
    active: true,
    coupon: { type: "free_shipping", minOrderValue: 3000, validityDays: 30 },
  },
  {
    rewardId: "yen-500-off",
    name: { ja: "500円引きクーポン", en: "¥500 off" },
    description: { ja: "500ポイントで500円引き", en: "500 points: ¥500 off your order" },
    cost: { kind: "fixed", points: 500 },
    active: true,
    coupon: { type: "fixed_discount", amount: 500 },
  },
  {
    rewardId: "ten-percent-off",
    name: { ja: "10%オフクーポン", en: "10% off" },
    description: {
      ja: "1,000ポイントで5,000円以上のご注文が10%オフ",
      en: "1,000 points: 10% off orders over ¥5,000",
    },
    cost: { kind: "fixed", points: 1000 },
    active: true,
    coupon: { type: "percentage_discount", percentage: 10, minOrderValue: 5000, validityDays: 90 },
  },
  {
    rewardId: "yen-1000-bonus",
    name: { ja: "1,000円引き（お得なレート）", en: "¥1,000 off at a bonus rate" },
    description: { ja: "900ポイントで1,000円引き", en: "900 points: ¥1,000 off" },
    cost: { kind: "fixed", points: 900 },
    active: true,
    coupon: { type: "fixed_rate_discount", amount: 1000, currency: "JPY", validityDays: 60 },
  },
  {
    rewardId: "tote-bag",
    name: { ja: "オリジナルトートバッグ", en: "A free tote bag" },
    description: {
      ja: "800ポイントで、商品を1点以上ご購入の際にトートバッグを1つプレゼント",
      en: "800 points: a free tote bag with any purchase",
    },
    cost: { kind: "fixed", points: 800 },
    active: true,
    coupon: {
      type: "free_product",
      entitledProductIds: ["gid://shopify/Product/7001000000001"],
      qualifyingPurchase: { quantity: 1, collectionIds: ["gid://shopify/Collection/7002000000001"] },
      validityDays: 60,
    },
  },
  {
    rewardId: "points-to-yen",
    name: { ja: "ポイントを好きなだけ値引きに", en: "Any points to yen off" },
    description: {
      ja: "100〜5,000ポイントを1ポイント1円で値引きに",
      en: "100 to 5,000 points, 1 point = ¥1 off",
    },
    cost: { kind: "variable", pointsPerUnit: 1, minPoints: 100, maxPoints: 5000 },
    active: true,
    coupon: { type: "fixed_discount" },
  },
  {
    rewardId: "cafe-drink",
    name: { ja: "カフェのドリンク1杯", en: "A drink at our café" },
    description: {
      ja: "600ポイントで渋谷店カフェのドリンク1杯（店頭で引き換え）",
      en: "600 points: one drink at the Shibuya store café, redeemed in store",
    },
    cost: { kind: "fixed", points: 600 },
    active: true,
    coupon: { type: "custom", validityDays: 30, attributes: { store: "shibuya", item: "cafe-drink" } },
  },
];
