import { randomUUID } from "node:crypto";
import { request as httpRequest } from "node:http";
import { importJWK, SignJWT } from "jose";
import { describe, expect, it } from "vitest";
import { type RouteSpec, routes } from "../../infra/catalog";
import { localAdminIssuer } from "../../infra/local/admin-issuer";
import { taro, useTestStack } from "../support/local-stack";
import { readProblem } from "./problems";

/**
 * The local gateway in front of the real handlers: it answers the catalog's routes, and only them,
 * the way API Gateway does.
 */
const t = await useTestStack();

/** A concrete path for a route, its `{parameters}` filled with plausible values. */
const samplePath = (route: RouteSpec) =>
  route.path
    .replace("{customerId}", taro.customerId)
    .replace("{conversionId}", randomUUID())
    .replace(/\{\w+\}/g, "sample");

/** The gateway's own answer for a request no route takes (API Gateway's shape). */
const gatewayRefusal = async (response: Response) => ({
  status: response.status,
  contentType: response.headers.get("content-type"),
  body: (await response.json()) as unknown,
});

describe("the local gateway", () => {
  it("answers GET /health", async () => {
    // Act
    const response = await t.api("/health");

    // Assess
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: "ok" });
  });

  it("answers 404 for a path no route has", async () => {
    // Act
    const answers = await Promise.all(
      ["/", "/v1", "/v1/me", "/v1/me/points/extra", "/v1/me/point", "/v2/me/points"].map(async (path) =>
        gatewayRefusal(await t.api(path, { customerId: taro.customerId })),
      ),
    );

    // Assess
    for (const answer of answers) {
      expect(answer).toEqual({
        status: 404,
        contentType: "application/json",
        body: { message: "Not Found" },
      });
    }
  });

  it("answers 404 Not Found, as API Gateway does, for a known path asked with the wrong method", async () => {
    // Act
    const postPoints = await t.api("/v1/me/points", { method: "POST", customerId: taro.customerId });
    const deleteHealth = await t.api("/health", { method: "DELETE" });
    const getConversions = await t.api("/v1/me/conversions", { customerId: taro.customerId });

    // Assess
    for (const response of [postPoints, deleteHealth, getConversions]) {
      expect(await gatewayRefusal(response)).toMatchObject({ status: 404, body: { message: "Not Found" } });
    }
  });

  it.each(routes.map((route) => ({ ...route, name: `${route.method} ${route.path}` })))(
    "serves $name from the catalog",
    async (route) => {
      // Act: anonymous, so nothing is changed and only the route's existence and auth show.
      const response = await t.api(samplePath(route), {
        method: route.method,
        ...(route.method === "GET" ? {} : { headers: { "content-type": "application/json" }, body: "{}" }),
      });

      // Assess: the route exists and its own kind of authentication turned the caller away.
      switch (route.auth) {
        case "public":
          expect(response.status).toBe(200);
          break;
        case "customer": {
          const problem = await readProblem(response, { status: 401, code: "unauthenticated" });
          expect(`${problem.title} ${problem.detail}`).toMatch(/sign in/i);
          break;
        }
        case "admin:viewer":
        case "admin:admin":
          // The JWT authorizer answers before any function, as API Gateway's does.
          expect(response.status).toBe(401);
          expect(await response.json()).toEqual({ message: "Unauthorized" });
          break;
        case "webhook":
          await readProblem(response, { status: 401, code: "invalid_signature" });
          break;
      }
    },
  );

  it("passes path parameters to the handler decoded", async () => {
    // Act: the customer named by an url-encoded gid instead of the numeric id.
    const response = await t.api(
      `/v1/customers/${encodeURIComponent(`gid://shopify/Customer/${taro.customerId}`)}/points`,
      { customerId: taro.customerId },
    );

    // Assess
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ customerId: taro.customerId, balance: 1250 });
  });
});

/** A GET with the given Authorization header lines, each sent as its own line. */
function getWithAuthorization(url: string, values: string[]): Promise<number> {
  return new Promise((resolve, reject) => {
    const request = httpRequest(url, { method: "GET" }, (response) => {
      response.resume();
      resolve(response.statusCode ?? 0);
    });
    request.setHeader("authorization", values);
    request.on("error", reject);
    request.end();
  });
}

describe("the local gateway's JWT authorizer refuses what API Gateway refuses", () => {
  const adminToken = (build: (jwt: SignJWT) => SignJWT) =>
    importJWK(localAdminIssuer.privateKey, "RS256").then((key) =>
      build(
        new SignJWT({ email: "ops@example.com", "cognito:groups": ["loyalty-admin"], token_use: "access" })
          .setProtectedHeader({ alg: "RS256", kid: localAdminIssuer.privateKey.kid ?? "local", typ: "JWT" })
          .setIssuer(localAdminIssuer.issuer)
          .setAudience(localAdminIssuer.audience)
          .setSubject("admin:ops@example.com"),
      ).sign(key),
    );
  const listing = () => `${t.stack.urls.api}/v1/admin/rewards`;

  it("accepts a valid admin token (the baseline)", async () => {
    const token = await adminToken((jwt) => jwt.setIssuedAt().setExpirationTime("1h"));

    expect(await getWithAuthorization(listing(), [`Bearer ${token}`])).toBe(200);
  });

  it("refuses a token without an expiry", async () => {
    const token = await adminToken((jwt) => jwt.setIssuedAt());

    expect(await getWithAuthorization(listing(), [`Bearer ${token}`])).toBe(401);
  });

  it("refuses a token issued in the future", async () => {
    const token = await adminToken((jwt) =>
      jwt.setIssuedAt(Math.floor(Date.now() / 1000) + 600).setExpirationTime("2h"),
    );

    expect(await getWithAuthorization(listing(), [`Bearer ${token}`])).toBe(401);
  });

  it("joins two Authorization headers as API Gateway does, so neither token is taken", async () => {
    const valid = await adminToken((jwt) => jwt.setIssuedAt().setExpirationTime("1h"));

    expect(await getWithAuthorization(listing(), [`Bearer ${valid}`, "Bearer forged"])).toBe(401);
  });
});

describe("the local stack's API description", () => {
  it("serves the OpenAPI document at /openapi.json", async () => {
    const response = await fetch(`${t.stack.urls.api}/openapi.json`);
    const document = (await response.json()) as { openapi: string; paths: Record<string, unknown> };

    expect(response.status).toBe(200);
    expect(document.openapi).toBe("3.1.0");
    expect(Object.keys(document.paths)).toContain("/v1/me/points");
  });
});
