import { createHmac } from "node:crypto";
import { createServer, type IncomingHttpHeaders } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { demoCredentials } from "../../infra/local/demo-data";
import {
  type RunningShopifyEmulator,
  signWebhookBody,
  startShopifyEmulator,
} from "../../infra/local/shopify";
import { at, control, couponInput, createBasic, graphql, HANAKO, TARO, text } from "./helpers";

const readByCode = /* GraphQL */ `
  query ByCode($code: String!) {
    codeDiscountNodeByCode(code: $code) {
      id
      codeDiscount {
        __typename
        ... on DiscountCodeBasic {
          title status startsAt endsAt asyncUsageCount usageLimit appliesOncePerCustomer summary
          customerGets {
            value { __typename ... on DiscountAmount { amount { amount currencyCode } appliesOnEachItem } ... on DiscountPercentage { percentage } }
            items { __typename ... on AllDiscountItems { allItems } }
          }
          context {
            __typename
            ... on DiscountCustomers { customers { id displayName } }
            ... on DiscountBuyerSelectionAll { all }
          }
          codes(first: 2) { nodes { id code asyncUsageCount } }
        }
      }
    }
  }
`;

const lifecycle = (mutation: "discountCodeDeactivate" | "discountCodeActivate") => /* GraphQL */ `
  mutation Change($id: ID!) {
    ${mutation}(id: $id) {
      codeDiscountNode { id codeDiscount { ... on DiscountCodeBasic { status endsAt } } }
      userErrors { field message code }
    }
  }
`;

const deleteCode = /* GraphQL */ `
  mutation Delete($id: ID!) {
    discountCodeDelete(id: $id) { deletedCodeDiscountId userErrors { field message code extraInfo } }
  }
`;

const readMetafield = /* GraphQL */ `
  query Read($id: ID!) {
    customer(id: $id) {
      metafield(namespace: "$app:loyalty", key: "coupons") { id namespace key type value jsonValue compareDigest }
    }
  }
`;

const setMetafields = /* GraphQL */ `
  mutation Set($metafields: [MetafieldsSetInput!]!) {
    metafieldsSet(metafields: $metafields) {
      metafields { id namespace key value compareDigest }
      userErrors { field message code elementIndex }
    }
  }
`;

const coupons = (value: unknown, compareDigest?: string | null) => ({
  ownerId: TARO,
  namespace: "$app:loyalty",
  key: "coupons",
  type: "json",
  value: JSON.stringify(value),
  ...(compareDigest === undefined ? {} : { compareDigest }),
});

describe("Shopify Admin GraphQL emulator", () => {
  let shopify: RunningShopifyEmulator;

  beforeAll(async () => {
    shopify = await startShopifyEmulator({ port: 0, clientId: "test-client" });
  });
  afterAll(async () => {
    await shopify.close();
  });
  beforeEach(async () => {
    await control(shopify, "POST", "/reset");
  });

  async function create(input: Record<string, unknown>) {
    const { body } = await graphql(shopify, createBasic, { input });
    return {
      id: at(body, "data", "discountCodeBasicCreate", "codeDiscountNode", "id"),
      userErrors: at(body, "data", "discountCodeBasicCreate", "userErrors"),
    };
  }

  it("refuses requests without a valid access token", async () => {
    const missing = await graphql(shopify, '{ customer(id: "x") { id } }', {}, null);
    const wrong = await graphql(shopify, '{ customer(id: "x") { id } }', {}, "shpat_wrong");

    expect(missing.status).toBe(401);
    expect(missing.body).toEqual({
      errors: "[API] Invalid API key or access token (unrecognized login or wrong password)",
    });
    expect(wrong.status).toBe(401);
  });

  it("answers GraphQL errors at HTTP 200 and reports the cost on every answer", async () => {
    const syntax = await graphql(shopify, "{ customer(id: ");
    const unknownField = await graphql(shopify, "{ shop { name } }");

    expect(syntax.status).toBe(200);
    expect(at(syntax.body, "errors", 0, "extensions", "code")).toBe("PARSE_ERROR");
    expect(unknownField.status).toBe(200);
    expect(at(unknownField.body, "errors", 0, "message")).toContain("shop");
    expect(at(unknownField.body, "extensions", "cost", "throttleStatus")).toMatchObject({
      maximumAvailable: 2000,
      restoreRate: 100,
    });
  });

  it("creates a fixed-amount code for one customer and reads it back by code, case-insensitively", async () => {
    // Act
    const { body } = await graphql(shopify, createBasic, { input: couponInput("70934-AB12CD-500") });
    const read = await graphql(shopify, readByCode, { code: "70934-ab12cd-500" });

    // Assess
    expect(at(body, "data", "discountCodeBasicCreate", "userErrors")).toEqual([]);
    expect(at(body, "extensions", "cost")).toMatchObject({ requestedQueryCost: 20, actualQueryCost: 20 });
    const node = at(read.body, "data", "codeDiscountNodeByCode");
    expect(node).toMatchObject({
      id: at(body, "data", "discountCodeBasicCreate", "codeDiscountNode", "id"),
      codeDiscount: {
        __typename: "DiscountCodeBasic",
        title: "Loyalty reward 500pts #70934-AB12CD-500",
        status: "ACTIVE",
        startsAt: "2026-11-22T00:00:00Z",
        endsAt: "2099-11-22T00:00:00Z",
        asyncUsageCount: 0,
        usageLimit: 1,
        appliesOncePerCustomer: true,
        customerGets: {
          value: {
            __typename: "DiscountAmount",
            amount: { amount: "500.0", currencyCode: "JPY" },
            appliesOnEachItem: false,
          },
          items: { __typename: "AllDiscountItems", allItems: true },
        },
        context: { __typename: "DiscountCustomers", customers: [{ id: TARO, displayName: "Taro Yamada" }] },
        codes: { nodes: [{ code: "70934-AB12CD-500", asyncUsageCount: 0 }] },
      },
    });
  });

  it("accepts percentages between 0 and 1 only", async () => {
    const value = (percentage: number) => ({
      customerGets: { value: { percentage }, items: { all: true } },
      context: { all: "ALL" },
    });

    const tenPercent = await create(couponInput("TEN", value(0.1)));
    const tooMuch = await create(couponInput("FIFTY", value(50)));

    expect(tenPercent.userErrors).toEqual([]);
    expect(tooMuch.userErrors).toEqual([
      {
        field: ["basicCodeDiscount", "customerGets", "value", "percentage"],
        message: "Value must be between 0.0 and 1.0",
        code: "VALUE_OUTSIDE_RANGE",
        extraInfo: null,
      },
    ]);
  });

  it.each([
    [
      "products with collections",
      {
        customerGets: {
          value: { percentage: 0.1 },
          items: {
            products: { productsToAdd: ["gid://shopify/Product/1"] },
            collections: { add: ["gid://shopify/Collection/2"] },
          },
        },
      },
      "CONFLICT",
      "Cannot entitle collections in combination with product variants or products",
    ],
    [
      "context with customerSelection",
      { customerSelection: { all: true } },
      "INVALID",
      "Only one of context or customerSelection can be provided.",
    ],
    ["a usage limit of 0", { usageLimit: 0 }, "GREATER_THAN", "Usage limit must be greater than 0"],
    [
      "both minimum requirements",
      {
        minimumRequirement: {
          subtotal: { greaterThanOrEqualToSubtotal: "1000" },
          quantity: { greaterThanOrEqualToQuantity: "2" },
        },
      },
      "CONFLICT",
      "Minimum subtotal cannot be defined when minimum quantity is.",
    ],
    ["a blank code", { code: "" }, "BLANK", "Code can't be blank"],
    ["a newline in the code", { code: "A\nB" }, "INVALID", "Code cannot contain newline characters."],
    ["a missing start", { startsAt: null }, "BLANK", "Starts at can't be blank"],
    ["a blank title", { title: " " }, "BLANK", "Title can't be blank"],
  ])("rejects %s", async (_case, overrides, code, message) => {
    const { id, userErrors } = await create(couponInput("RULES-1", overrides));

    expect(id).toBeUndefined();
    expect(userErrors).toEqual([expect.objectContaining({ code, message })]);
    expect(at(userErrors, 0, "field", 0)).toBe("basicCodeDiscount");
  });

  it("refuses a context naming both all buyers and customers: DiscountContextInput is @oneOf", async () => {
    const { body } = await graphql(shopify, createBasic, {
      input: couponInput("ONE-OF", { context: { all: "ALL", customers: { add: [TARO] } } }),
    });

    expect(at(body, "data")).toBeUndefined();
    expect(at(body, "errors", 0, "message")).toContain(
      'Exactly one key must be specified for OneOf type "DiscountContextInput"',
    );
  });

  it("answers TAKEN for a duplicate code, whatever its case", async () => {
    await create(couponInput("LOY-7F3A9C"));

    const duplicate = await create(couponInput("loy-7f3a9c", { title: "another #x" }));

    expect(duplicate.userErrors).toEqual([
      {
        field: ["basicCodeDiscount", "code"],
        message: "Code must be unique. Please try a different code.",
        code: "TAKEN",
        extraInfo: null,
      },
    ]);
  });

  it("keeps a deactivated code reserved and activates it again with no end date, as Shopify does", async () => {
    const { id } = await create(couponInput("CANCEL-ME"));

    const deactivated = await graphql(shopify, lifecycle("discountCodeDeactivate"), { id });
    const lookup = await graphql(shopify, readByCode, { code: "CANCEL-ME" });
    const again = await create(couponInput("CANCEL-ME"));
    const activated = await graphql(shopify, lifecycle("discountCodeActivate"), { id });

    const ended = at(deactivated.body, "data", "discountCodeDeactivate", "codeDiscountNode", "codeDiscount");
    expect(ended).toMatchObject({ status: "EXPIRED" });
    expect(Date.now() - Date.parse(text(ended, "endsAt"))).toBeLessThan(5_000);
    expect(at(lookup.body, "data", "codeDiscountNodeByCode", "codeDiscount", "status")).toBe("EXPIRED");
    expect(at(again.userErrors, 0, "code")).toBe("TAKEN");
    // Recorded against a live store: activate leaves endsAt null (airhorns/shopify-draft-proxy,
    // fixtures/conformance/.../discounts/discount-activate-deactivate-edge-cases.json).
    expect(at(activated.body, "data", "discountCodeActivate", "codeDiscountNode", "codeDiscount")).toEqual({
      status: "ACTIVE",
      endsAt: null,
    });
  });

  it("sets the dates again with discountCodeBasicUpdate, and only for a basic code", async () => {
    const { id } = await create(couponInput("REDATE"));
    await graphql(shopify, lifecycle("discountCodeDeactivate"), { id });
    await graphql(shopify, lifecycle("discountCodeActivate"), { id });
    const update = (mutation: string, argument: string, inputType: string, input: unknown) =>
      graphql(
        shopify,
        /* GraphQL */ `
          mutation Update($id: ID!, $input: ${inputType}!) {
            ${mutation}(id: $id, ${argument}: $input) {
              codeDiscountNode { codeDiscount { ... on DiscountCodeBasic { status endsAt } } }
              userErrors { field code }
            }
          }
        `,
        { id, input },
      );

    const updated = await update("discountCodeBasicUpdate", "basicCodeDiscount", "DiscountCodeBasicInput", {
      endsAt: "2099-11-22T00:00:00Z",
    });
    const wrongType = await update(
      "discountCodeFreeShippingUpdate",
      "freeShippingCodeDiscount",
      "DiscountCodeFreeShippingInput",
      { endsAt: "2099-12-22T00:00:00Z" },
    );

    expect(at(updated.body, "data", "discountCodeBasicUpdate", "codeDiscountNode", "codeDiscount")).toEqual({
      status: "ACTIVE",
      endsAt: "2099-11-22T00:00:00Z",
    });
    expect(at(wrongType.body, "data", "discountCodeFreeShippingUpdate", "userErrors", 0, "code")).toBe(
      "INVALID",
    );
  });

  it("frees the code on delete and reports an unknown id", async () => {
    const { id } = await create(couponInput("DELETE-ME"));

    const deleted = await graphql(shopify, deleteCode, { id });
    const deletedAgain = await graphql(shopify, deleteCode, { id });
    const lookup = await graphql(shopify, readByCode, { code: "DELETE-ME" });
    const recreated = await create(couponInput("DELETE-ME"));

    expect(at(deleted.body, "data", "discountCodeDelete")).toEqual({
      deletedCodeDiscountId: id,
      userErrors: [],
    });
    expect(at(deletedAgain.body, "data", "discountCodeDelete")).toEqual({
      deletedCodeDiscountId: null,
      userErrors: [
        { field: ["id"], message: "Code discount does not exist.", code: "INVALID", extraInfo: null },
      ],
    });
    expect(at(lookup.body, "data", "codeDiscountNodeByCode")).toBeNull();
    expect(recreated.userErrors).toEqual([]);
  });

  it("creates free-shipping codes and rejects buy-x-get-y on all items", async () => {
    const freeShipping = await graphql(
      shopify,
      `mutation($input: DiscountCodeFreeShippingInput!) {
        discountCodeFreeShippingCreate(freeShippingCodeDiscount: $input) {
          codeDiscountNode { codeDiscount { __typename ... on DiscountCodeFreeShipping { maximumShippingPrice { amount } } } }
          userErrors { code }
        }
      }`,
      {
        input: {
          title: "Ship free",
          code: "SHIPFREE",
          startsAt: "2026-11-22T00:00:00Z",
          context: { all: "ALL" },
          destination: { all: true },
          maximumShippingPrice: "800",
        },
      },
    );
    const bxgy = await graphql(
      shopify,
      `mutation($input: DiscountCodeBxgyInput!) {
        discountCodeBxgyCreate(bxgyCodeDiscount: $input) { userErrors { field message code } }
      }`,
      {
        input: {
          title: "Buy one get one",
          code: "BOGO",
          startsAt: "2026-11-22T00:00:00Z",
          context: { all: "ALL" },
          customerBuys: { value: { quantity: "1" }, items: { all: true } },
          customerGets: {
            value: { discountOnQuantity: { quantity: "1", effect: { percentage: 1 } } },
            items: { all: true },
          },
        },
      },
    );

    expect(at(freeShipping.body, "data", "discountCodeFreeShippingCreate")).toEqual({
      codeDiscountNode: {
        codeDiscount: { __typename: "DiscountCodeFreeShipping", maximumShippingPrice: { amount: "800.0" } },
      },
      userErrors: [],
    });
    expect(at(bxgy.body, "data", "discountCodeBxgyCreate", "userErrors")).toEqual([
      {
        field: ["bxgyCodeDiscount", "customerBuys", "items"],
        message: "Items in 'customer buys' must be defined",
        code: "BLANK",
      },
      {
        field: ["bxgyCodeDiscount", "customerGets"],
        message: "Items in 'customer get' cannot be set to all",
        code: "INVALID",
      },
    ]);
  });

  describe("metafield compare-and-set", () => {
    it("creates with a null digest only when the metafield does not exist", async () => {
      const first = await graphql(shopify, setMetafields, { metafields: [coupons({ n: 1 }, null)] });
      const second = await graphql(shopify, setMetafields, { metafields: [coupons({ n: 2 }, null)] });
      const read = await graphql(shopify, readMetafield, { id: TARO });

      expect(at(first.body, "data", "metafieldsSet", "userErrors")).toEqual([]);
      expect(at(second.body, "data", "metafieldsSet")).toEqual({
        metafields: [],
        userErrors: [
          {
            field: ["metafields", "0"],
            message:
              "The resource has been updated since it was loaded. Try again with an updated `compareDigest` value.",
            code: "STALE_OBJECT",
            elementIndex: null,
          },
        ],
      });
      expect(at(read.body, "data", "customer", "metafield")).toMatchObject({
        namespace: "app--test-client--loyalty",
        key: "coupons",
        type: "json",
        jsonValue: { n: 1 },
      });
      expect(text(read.body, "data", "customer", "metafield", "compareDigest")).toMatch(/^[0-9a-f]{64}$/);
    });

    it("writes with the current digest and refuses a stale one without writing", async () => {
      await graphql(shopify, setMetafields, { metafields: [coupons({ n: 1 })] });
      const digest = text(
        (await graphql(shopify, readMetafield, { id: TARO })).body,
        "data",
        "customer",
        "metafield",
        "compareDigest",
      );

      const fresh = await graphql(shopify, setMetafields, { metafields: [coupons({ n: 2 }, digest)] });
      const stale = await graphql(shopify, setMetafields, { metafields: [coupons({ n: 3 }, digest)] });
      const read = await graphql(shopify, readMetafield, { id: TARO });

      expect(at(fresh.body, "data", "metafieldsSet", "userErrors")).toEqual([]);
      expect(at(fresh.body, "data", "metafieldsSet", "metafields", 0, "compareDigest")).not.toBe(digest);
      expect(at(stale.body, "data", "metafieldsSet", "userErrors", 0, "code")).toBe("STALE_OBJECT");
      expect(at(read.body, "data", "customer", "metafield", "jsonValue")).toEqual({ n: 2 });
    });

    it("answers INVALID_COMPARE_DIGEST for a digest of a metafield that does not exist", async () => {
      const answer = await graphql(shopify, setMetafields, {
        metafields: [coupons({ n: 1 }, "a".repeat(64))],
      });

      expect(at(answer.body, "data", "metafieldsSet", "userErrors")).toEqual([
        expect.objectContaining({
          code: "INVALID_COMPARE_DIGEST",
          message: "Invalid `compareDigest` value.",
        }),
      ]);
    });

    it("writes all of a list or none of it, and validates JSON", async () => {
      const answer = await graphql(shopify, setMetafields, {
        metafields: [coupons({ n: 1 }), { ...coupons({}), key: "broken", value: "{not json" }],
      });
      const read = await graphql(shopify, readMetafield, { id: TARO });

      expect(at(answer.body, "data", "metafieldsSet", "userErrors")).toEqual([
        expect.objectContaining({
          field: ["metafields", "1", "value"],
          code: "INVALID_VALUE",
          elementIndex: 1,
        }),
      ]);
      expect(at(read.body, "data", "customer", "metafield")).toBeNull();
    });
  });

  describe("throttling and faults", () => {
    it("answers THROTTLED at HTTP 200 and applies nothing when the bucket is empty", async () => {
      await control(shopify, "PUT", "/bucket", { currentlyAvailable: 0 });

      const answer = await graphql(shopify, createBasic, { input: couponInput("THROTTLED-1") });
      const discounts = await control(shopify, "GET", "/discounts");

      expect(answer.status).toBe(200);
      expect(answer.body).toMatchObject({
        errors: [{ message: "Throttled", extensions: { code: "THROTTLED" } }],
        extensions: { cost: { requestedQueryCost: 20, actualQueryCost: null } },
      });
      expect(discounts.body).toEqual({ discounts: [] });
    });

    it("injects throttling and 503s per operation through the control API", async () => {
      await control(shopify, "PUT", "/faults", [
        { operation: "discountCodeBasicCreate", kind: "throttle", count: 1 },
        { operation: "customer", kind: "http503", count: 1 },
      ]);

      const throttled = await graphql(shopify, createBasic, { input: couponInput("FAULT-1") });
      const unavailable = await graphql(shopify, `{ customer(id: "${TARO}") { id } }`);
      const recovered = await graphql(shopify, `{ customer(id: "${TARO}") { id } }`);

      expect(at(throttled.body, "errors", 0, "extensions", "code")).toBe("THROTTLED");
      expect(unavailable.status).toBe(503);
      expect(at(recovered.body, "data", "customer", "id")).toBe(TARO);
    });
  });

  describe("orders placed through the control API", () => {
    let receiver: { url: string; close: () => Promise<void> };
    const received: { headers: IncomingHttpHeaders; body: string }[] = [];

    beforeAll(async () => {
      const server = createServer((request, response) => {
        const chunks: Buffer[] = [];
        request.on("data", (chunk: Buffer) => chunks.push(chunk));
        request.on("end", () => {
          received.push({ headers: request.headers, body: Buffer.concat(chunks).toString("utf8") });
          response.writeHead(200).end();
        });
      });
      await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
      const { port } = server.address() as AddressInfo;
      receiver = {
        url: `http://127.0.0.1:${port}/webhooks/shopify`,
        close: () => new Promise((resolve) => server.close(() => resolve())),
      };
    });
    afterAll(async () => {
      await receiver.close();
    });
    beforeEach(() => {
      received.length = 0;
    });

    it("raises the usage count and sends signed orders/create and orders/paid webhooks", async () => {
      await create(couponInput("USE-ME"));

      const order = await control(shopify, "POST", "/orders", {
        code: "use-me",
        customerId: TARO,
        webhookUrl: receiver.url,
      });
      const read = await graphql(shopify, readByCode, { code: "USE-ME" });

      expect(order.status).toBe(201);
      expect(at(read.body, "data", "codeDiscountNodeByCode", "codeDiscount", "asyncUsageCount")).toBe(1);
      expect(received.map((delivery) => delivery.headers["x-shopify-topic"])).toEqual([
        "orders/create",
        "orders/paid",
      ]);
      for (const delivery of received) {
        const expected = createHmac("sha256", demoCredentials.shopifyAppSecret)
          .update(delivery.body)
          .digest("base64");
        expect(delivery.headers["x-shopify-hmac-sha256"]).toBe(expected);
        expect(signWebhookBody(delivery.body, demoCredentials.shopifyAppSecret)).toBe(expected);
        expect(delivery.headers).toMatchObject({
          "x-shopify-shop-domain": "loyalty-demo.myshopify.com",
          "x-shopify-api-version": expect.stringMatching(/^\d{4}-\d{2}$/),
          "x-shopify-webhook-id": expect.any(String),
          "x-shopify-triggered-at": expect.any(String),
          "x-shopify-event-id": expect.any(String),
        });
        expect(JSON.parse(delivery.body)).toMatchObject({
          admin_graphql_api_id: expect.stringMatching(/^gid:\/\/shopify\/Order\/\d+$/),
          customer: { id: 8840734670934 },
          discount_codes: [{ code: "USE-ME", type: "fixed_amount", amount: "500.00" }],
          created_at: expect.any(String),
        });
      }
      expect(new Set(received.map((delivery) => delivery.headers["x-shopify-webhook-id"])).size).toBe(2);
    });

    it("refuses unknown, used-up, deactivated and other customers' codes", async () => {
      const { id } = await create(couponInput("ONCE"));
      await create(couponInput("OFF"));
      const off = await graphql(shopify, readByCode, { code: "OFF" });
      await graphql(shopify, lifecycle("discountCodeDeactivate"), {
        id: text(off.body, "data", "codeDiscountNodeByCode", "id"),
      });

      const unknown = await control(shopify, "POST", "/orders", { code: "NOPE" });
      const otherCustomer = await control(shopify, "POST", "/orders", { code: "ONCE", customerId: HANAKO });
      const first = await control(shopify, "POST", "/orders", { code: "ONCE", customerId: TARO });
      const second = await control(shopify, "POST", "/orders", { code: "ONCE", customerId: TARO });
      const deactivated = await control(shopify, "POST", "/orders", { code: "OFF", customerId: TARO });

      expect(id).toEqual(expect.any(String));
      expect([unknown.status, otherCustomer.status, first.status, second.status, deactivated.status]).toEqual(
        [404, 409, 201, 409, 409],
      );
      expect(received).toEqual([]);
    });
  });

  it("restores the demo data on reset", async () => {
    await create(couponInput("GONE-AFTER-RESET"));
    await graphql(shopify, setMetafields, { metafields: [coupons({ n: 1 })] });

    await control(shopify, "POST", "/reset");
    const discounts = await control(shopify, "GET", "/discounts");
    const read = await graphql(shopify, readMetafield, { id: TARO });

    expect(discounts.body).toEqual({ discounts: [] });
    expect(at(read.body, "data", "customer")).toEqual({ metafield: null });
  });
});
