import { generateKeyPair, type JWTPayload, SignJWT } from "jose";
import { describe, expect, it } from "vitest";
import { mintCustomerSessionToken } from "../../shared/auth/mint";
import { verifyCustomerSessionToken } from "../../shared/auth/session-token";
import { Unauthenticated } from "../../shared/errors";

const appSecret = "test-app-secret";
const shopDomain = "loyalty-test.myshopify.com";
const clientId = "test-client-id";
const now = new Date("2026-11-22T00:00:00Z");
const nowSeconds = Math.floor(now.getTime() / 1000);

const validClaims = (): JWTPayload => ({
  iss: `https://${shopDomain}/admin`,
  dest: `https://${shopDomain}`,
  aud: clientId,
  sub: "gid://shopify/Customer/8840734670934",
  iat: nowSeconds - 10,
  nbf: nowSeconds - 10,
  exp: nowSeconds + 290,
  jti: "a-jti",
});

const sign = (claims: JWTPayload, secret = appSecret) =>
  new SignJWT(claims).setProtectedHeader({ alg: "HS256", typ: "JWT" }).sign(new TextEncoder().encode(secret));

const base64url = (value: object) => Buffer.from(JSON.stringify(value)).toString("base64url");

/** Rejects with Unauthenticated and a message matching `detail`, never echoing the token. */
async function expectRejected(token: string, detail: RegExp, options: { clientId?: string } = {}) {
  const error = await verifyCustomerSessionToken(token, { appSecret, shopDomain, now, ...options }).then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(Unauthenticated);
  expect(error).toMatchObject({
    status: 401,
    code: "unauthenticated",
    message: expect.stringMatching(detail),
  });
  if (token.length >= 20) expect((error as Error).message).not.toContain(token.slice(0, 20));
}

describe("verifyCustomerSessionToken", () => {
  it("returns the customer of a valid token", async () => {
    // Prepare
    const token = await sign(validClaims());

    // Act
    const verified = await verifyCustomerSessionToken(token, { appSecret, shopDomain, now });

    // Assess
    expect(verified).toEqual({
      customerGid: "gid://shopify/Customer/8840734670934",
      customerId: "8840734670934",
      shopDomain,
      jti: "a-jti",
    });
  });

  it("accepts a minted token and a configured shop written as a URL", async () => {
    const token = await mintCustomerSessionToken({ customerId: "42", appSecret, shopDomain, clientId, now });

    const verified = await verifyCustomerSessionToken(token, {
      appSecret,
      shopDomain: `https://${shopDomain}/`,
      clientId,
      now,
    });

    expect(verified.customerId).toBe("42");
    expect(verified.jti).toMatch(/^[0-9a-f-]{36}$/);
  });

  it("accepts a bare dest without https://", async () => {
    const token = await sign({ ...validClaims(), dest: shopDomain });

    await expect(verifyCustomerSessionToken(token, { appSecret, shopDomain, now })).resolves.toMatchObject({
      shopDomain,
    });
  });

  it("accepts a token expired by less than the clock tolerance", async () => {
    const token = await sign({ ...validClaims(), exp: nowSeconds - 5 });

    await expect(verifyCustomerSessionToken(token, { appSecret, shopDomain, now })).resolves.toMatchObject({
      customerId: "8840734670934",
    });
  });

  it("rejects a token expired beyond the clock tolerance", async () => {
    await expectRejected(await sign({ ...validClaims(), exp: nowSeconds - 11 }), /expired/);
  });

  it("honours a custom clock tolerance", async () => {
    const token = await sign({ ...validClaims(), exp: nowSeconds - 5 });

    await expect(
      verifyCustomerSessionToken(token, { appSecret, shopDomain, now, clockToleranceSeconds: 0 }),
    ).rejects.toThrow(/expired/);
  });

  it("rejects a token without exp", async () => {
    const { exp: _exp, ...claims } = validClaims();
    await expectRejected(await sign(claims), /expiry/);
  });

  it("rejects a token that is not valid yet", async () => {
    await expectRejected(await sign({ ...validClaims(), nbf: nowSeconds + 60 }), /not valid yet/);
  });

  it("rejects a token issued in the future, beyond the clock tolerance", async () => {
    await expectRejected(await sign({ ...validClaims(), iat: nowSeconds + 60 }), /not valid yet/);
  });

  it("rejects a token issued longer ago than Shopify's tokens live", async () => {
    await expectRejected(await sign({ ...validClaims(), iat: nowSeconds - 400 }), /expired/);
  });

  it("rejects a token without iat", async () => {
    const { iat: _iat, ...claims } = validClaims();
    await expectRejected(await sign(claims), /"iat" claim/);
  });

  it("rejects a token that would live for centuries", async () => {
    await expectRejected(
      await sign({ ...validClaims(), exp: Math.floor(Date.parse("2286-11-20T00:00:00Z") / 1000) }),
      /lives longer/,
    );
  });

  it("accepts nbf within the clock tolerance", async () => {
    const token = await sign({ ...validClaims(), nbf: nowSeconds + 5 });

    await expect(verifyCustomerSessionToken(token, { appSecret, shopDomain, now })).resolves.toBeDefined();
  });

  it("rejects a token signed with another secret", async () => {
    await expectRejected(await sign(validClaims(), "another-secret"), /signature is invalid/);
  });

  it("rejects a token whose payload was altered after signing", async () => {
    const [header, , signature] = (await sign(validClaims())).split(".");
    const forged = `${header}.${base64url({ ...validClaims(), sub: "gid://shopify/Customer/1" })}.${signature}`;

    await expectRejected(forged, /signature is invalid/);
  });

  it("rejects an unsigned token (alg: none)", async () => {
    const token = `${base64url({ alg: "none", typ: "JWT" })}.${base64url(validClaims())}.`;

    await expectRejected(token, /not signed the way Shopify signs it/);
  });

  it("rejects an RS256-signed token", async () => {
    // Prepare
    const { privateKey } = await generateKeyPair("RS256");
    const token = await new SignJWT(validClaims()).setProtectedHeader({ alg: "RS256" }).sign(privateKey);

    // Act & Assess
    await expectRejected(token, /not signed the way Shopify signs it/);
  });

  it("rejects an HS512 token even with the right secret", async () => {
    const token = await new SignJWT(validClaims())
      .setProtectedHeader({ alg: "HS512" })
      .sign(new TextEncoder().encode(appSecret.padEnd(64, "x")));

    await expectRejected(token, /not signed the way Shopify signs it/);
  });

  it("rejects a token issued for another shop", async () => {
    await expectRejected(
      await sign({ ...validClaims(), dest: "https://other-shop.myshopify.com" }),
      /issued for another shop/,
    );
  });

  it("rejects a token without dest", async () => {
    const { dest: _dest, ...claims } = validClaims();
    await expectRejected(await sign(claims), /does not name a shop/);
  });

  it("rejects a token without sub (guest or no protected customer data access)", async () => {
    const { sub: _sub, ...claims } = validClaims();
    await expectRejected(await sign(claims), /carries no customer/);
  });

  it.each([
    "gid://shopify/Company/1",
    "gid://shopify/Customer/",
    "gid://shopify/Customer/12a",
    "8840734670934",
    " gid://shopify/Customer/1",
  ])("rejects sub %j, which is not a customer gid", async (sub) => {
    await expectRejected(await sign({ ...validClaims(), sub }), /not a customer/);
  });

  it("rejects a token for another app when the client id is configured", async () => {
    await expectRejected(await sign({ ...validClaims(), aud: "another-app" }), /another app/, { clientId });
  });

  it.each(["", "garbage", "a.b.c", "eyJhbGciOiJIUzI1NiJ9.bm90IGpzb24.c2ln", "x".repeat(5000)])(
    "rejects the garbage token %#",
    async (token) => {
      await expectRejected(token, /malformed|not signed|signature is invalid/);
    },
  );

  it("treats an empty app secret as a configuration fault, not an unauthenticated caller", async () => {
    const token = await sign(validClaims());

    await expect(verifyCustomerSessionToken(token, { appSecret: "", shopDomain, now })).rejects.toThrow(
      TypeError,
    );
  });
});
