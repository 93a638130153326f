/**
 * Demo shop and customers shared by the Shopify and Smaregi emulators, so that the local stack
 * starts with a coherent pair of systems: the Shopify customer's numeric id is the member number
 * stored in Smaregi's customer code.
 */

export const demoShop = {
  domain: "loyalty-demo.myshopify.com",
  name: "Loyalty Demo Store",
  currency: "JPY",
} as const;

/** Local-only credentials; production values come from Secrets Manager. */
export const demoCredentials = {
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
        { daysAgo: 30, division: "6", points: 500 },
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
    pos: { customerId: "1002", rank: "Regular", points: 0, expiresInDays: 365, history: [] },
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
