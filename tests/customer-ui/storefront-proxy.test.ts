import { createServer, type IncomingMessage } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { demoCredentials, demoShop } from "../../infra/local/demo-data";
import { createShopifyEmulator } from "../../infra/local/shopify";
import { verifyAppProxyRequest } from "../../shared/auth/app-proxy";

/**
 * The demo storefront's App Proxy, against a server that records what reaches "the API": the
 * query Shopify would forward, signed so the API's own check accepts it, and nothing of the
 * storefront's cookies.
 */
const received: Array<{ method: string; url: string; headers: IncomingMessage["headers"]; body: string }> =
  [];
const api = createServer(async (request, response) => {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  received.push({
    method: request.method ?? "",
    url: request.url ?? "",
    headers: request.headers,
    body: Buffer.concat(chunks).toString("utf8"),
  });
  response.writeHead(202, { "content-type": "application/json", "retry-after": "2", "x-internal": "hidden" });
  response.end('{"ok":true}');
});
let apiUrl = "";
beforeAll(async () => {
  await new Promise<void>((resolve) => api.listen(0, "127.0.0.1", resolve));
  apiUrl = `http://127.0.0.1:${(api.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => api.close(() => resolve())));

const storefront = () => createShopifyEmulator({ storefront: { apiUrl } }).app;

/** Signs in as Taro through the `?customer=` shortcut and returns the session cookie. */
async function signIn(app: ReturnType<typeof storefront>): Promise<string> {
  const page = await app.request("/account?customer=8840734670934");
  expect(page.status).toBe(200);
  const cookie = page.headers.get("set-cookie")?.split(";")[0];
  if (!cookie) throw new Error("no session cookie");
  return cookie;
}

const queryOf = (url: string) => url.slice(url.indexOf("?") + 1);

describe("the demo storefront's App Proxy", () => {
  it("forwards /apps/loyalty/<path> to the API with Shopify's signed parameters", async () => {
    // Prepare
    const app = storefront();
    const cookie = await signIn(app);
    received.length = 0;

    // Act
    const response = await app.request("/apps/loyalty/v1/me/conversions?utm_source=mail", {
      method: "POST",
      headers: {
        cookie,
        "content-type": "application/json",
        "idempotency-key": "key-1",
        "accept-language": "ja",
      },
      body: '{"points":500}',
    });

    // Assess
    expect(response.status).toBe(202);
    expect(response.headers.get("retry-after")).toBe("2");
    expect(response.headers.get("x-internal")).toBeNull();
    const forwarded = received[0];
    expect(forwarded?.method).toBe("POST");
    expect(forwarded?.url.startsWith("/v1/me/conversions?")).toBe(true);
    expect(forwarded?.body).toBe('{"points":500}');
    expect(forwarded?.headers.cookie).toBeUndefined();
    expect(forwarded?.headers["idempotency-key"]).toBe("key-1");
    const params = new URLSearchParams(queryOf(forwarded?.url ?? ""));
    expect(Object.fromEntries(params)).toMatchObject({
      utm_source: "mail",
      logged_in_customer_id: "8840734670934",
      path_prefix: "/apps/loyalty",
      shop: demoShop.domain,
    });
    expect(
      verifyAppProxyRequest(queryOf(forwarded?.url ?? ""), {
        appSecret: demoCredentials.shopifyAppSecret,
        shopDomain: demoShop.domain,
      }),
    ).toMatchObject({ customerId: "8840734670934" });
  });

  it("sends an empty logged_in_customer_id when nobody (or a forged cookie) is signed in", async () => {
    // Prepare
    const app = storefront();
    const cookie = await signIn(app);
    const forged = cookie.replace(/=(\d+)\./, "=8840734670935.");
    received.length = 0;

    // Act
    await app.request("/apps/loyalty/v1/me/points");
    await app.request("/apps/loyalty/v1/me/points", { headers: { cookie: forged } });

    // Assess
    for (const request of received) {
      const query = queryOf(request.url);
      expect(new URLSearchParams(query).get("logged_in_customer_id")).toBe("");
      // Signed all the same, as Shopify signs guests' requests; the API then refuses: nobody is signed in.
      expect(() =>
        verifyAppProxyRequest(query, {
          appSecret: demoCredentials.shopifyAppSecret,
          shopDomain: demoShop.domain,
        }),
      ).toThrow(/not signed in/);
    }
    expect(received).toHaveLength(2);
  });

  it("renders the theme block for the signed-in customer and sends others to sign-in", async () => {
    // Prepare
    const app = storefront();

    // Act
    const page = await app.request("/account?customer=8840734670934&locale=en");
    const anonymous = await app.request("/account");
    const unknown = await app.request("/account?customer=123");

    // Assess
    const html = await page.text();
    expect(html).toContain("data-loyalty-points");
    expect(html).toContain('data-first-name="Taro"');
    expect(html).toContain('data-proxy="/apps/loyalty"');
    expect(html).toContain('<script src="/cdn/loyalty-theme/loyalty-points.js" defer></script>');
    expect(html).not.toContain("{% schema %}");
    expect(anonymous.status).toBe(303);
    expect(anonymous.headers.get("location")).toBe("/account/login");
    expect(unknown.status).toBe(404);
  });
});
