import { describe, expect, it } from "vitest";
import { signAppProxyQuery } from "../../shared/auth/app-proxy";
import {
  type AuthenticatedCustomer,
  assertSameCustomer,
  authenticateCustomer,
} from "../../shared/auth/customer";
import { mintCustomerSessionToken } from "../../shared/auth/mint";
import { Forbidden, InvalidRequest, Unauthenticated } from "../../shared/errors";

const appSecret = "test-app-secret";
const shopDomain = "loyalty-test.myshopify.com";
const clientId = "test-client-id";
const now = new Date("2026-11-22T00:00:00Z");
const options = { appSecret, shopDomain, clientId, now };

const proxyQuery = (customerId: string) =>
  signAppProxyQuery(
    {
      shop: shopDomain,
      logged_in_customer_id: customerId,
      path_prefix: "/apps/loyalty",
      timestamp: String(Math.floor(now.getTime() / 1000)),
    },
    appSecret,
  );

describe("authenticateCustomer", () => {
  it("verifies a bearer session token", async () => {
    // Prepare
    const token = await mintCustomerSessionToken({ customerId: "8840734670934", ...options });

    // Act
    const customer = await authenticateCustomer(
      { headers: { authorization: `Bearer ${token}` }, rawQueryString: "" },
      options,
    );

    // Assess
    expect(customer).toMatchObject({
      customerGid: "gid://shopify/Customer/8840734670934",
      customerId: "8840734670934",
      shopDomain,
      via: "session-token",
    });
  });

  it("prefers the session token when a request carries both", async () => {
    const token = await mintCustomerSessionToken({ customerId: "1", ...options });

    const customer = await authenticateCustomer(
      { headers: { authorization: `bearer ${token}` }, rawQueryString: proxyQuery("2") },
      options,
    );

    expect(customer).toMatchObject({ customerId: "1", via: "session-token" });
  });

  it("verifies an app proxy query", async () => {
    const customer = await authenticateCustomer({ headers: {}, rawQueryString: proxyQuery("42") }, options);

    expect(customer).toEqual({
      customerGid: "gid://shopify/Customer/42",
      customerId: "42",
      shopDomain,
      via: "app-proxy",
    });
  });

  it.each([
    ["no credentials", {}, ""],
    ["an empty Authorization header", { authorization: " " }, "page=1"],
  ])("asks to sign in when the request has %s", async (_case, headers, rawQueryString) => {
    await expect(authenticateCustomer({ headers, rawQueryString }, options)).rejects.toThrow(
      new Unauthenticated("Sign in to see your points"),
    );
  });

  it("rejects an Authorization header that is not a bearer token", async () => {
    await expect(
      authenticateCustomer({ headers: { authorization: "Basic dXNlcjpwYXNz" }, rawQueryString: "" }, options),
    ).rejects.toThrow(/Bearer/);
  });

  it("does not fall back to the app proxy when the bearer token is bad", async () => {
    await expect(
      authenticateCustomer(
        { headers: { authorization: "Bearer nope" }, rawQueryString: proxyQuery("42") },
        options,
      ),
    ).rejects.toBeInstanceOf(Unauthenticated);
  });

  it("rejects an app proxy visitor who is not signed in", async () => {
    await expect(
      authenticateCustomer({ headers: {}, rawQueryString: proxyQuery("") }, options),
    ).rejects.toThrow(/not signed in/);
  });
});

describe("assertSameCustomer", () => {
  const taro: Pick<AuthenticatedCustomer, "customerId"> = { customerId: "8840734670934" };

  it.each(["8840734670934", "gid://shopify/Customer/8840734670934"])(
    "accepts the customer's own id written as %s",
    (requested) => {
      expect(() => assertSameCustomer(taro, requested)).not.toThrow();
    },
  );

  it("does not decode the path a second time: a still-encoded gid is not an id", () => {
    expect(() => assertSameCustomer(taro, "gid%3A%2F%2Fshopify%2FCustomer%2F8840734670934")).toThrow(
      /must be numeric or a Shopify customer gid/,
    );
  });

  it.each(["8840734670935", "gid://shopify/Customer/8840734670935"])(
    "forbids another customer's id %s",
    (requested) => {
      expect(() => assertSameCustomer(taro, requested)).toThrow(Forbidden);
    },
  );

  it.each(["", "me", "gid://shopify/Order/8840734670934", "8840734670934 "])(
    "rejects the malformed id %j as a bad request",
    (requested) => {
      expect(() => assertSameCustomer(taro, requested)).toThrow(InvalidRequest);
    },
  );
});
