import { createHmac } from "node:crypto";
import { describe, expect, it } from "vitest";
import {
  type AppProxyOptions,
  appProxySignature,
  signAppProxyQuery,
  verifyAppProxyRequest,
} from "../../shared/auth/app-proxy";
import { Unauthenticated } from "../../shared/errors";

const appSecret = "test-app-secret";
const shopDomain = "loyalty-test.myshopify.com";
const timestamp = 1_795_000_000;
const now = new Date(timestamp * 1000);

/** Independent of the code under test: the digest straight from node:crypto. */
const hmacHex = (secret: string, message: string) =>
  createHmac("sha256", secret).update(message).digest("hex");

const shopifyParams = (overrides: Record<string, string | string[]> = {}) => ({
  shop: shopDomain,
  logged_in_customer_id: "8840734670934",
  path_prefix: "/apps/loyalty",
  timestamp: String(timestamp),
  ...overrides,
});

const verify = (query: string, options: Partial<AppProxyOptions> = {}) =>
  verifyAppProxyRequest(query, { appSecret, shopDomain, now, ...options });

function expectRejected(query: string, detail: RegExp, options: Partial<AppProxyOptions> = {}) {
  let caught: unknown;
  try {
    verify(query, options);
  } catch (error) {
    caught = error;
  }
  expect(caught).toBeInstanceOf(Unauthenticated);
  expect(caught).toMatchObject({ status: 401, message: expect.stringMatching(detail) });
}

describe("verifyAppProxyRequest", () => {
  it("returns the signed-in customer of a correctly signed query", () => {
    // Prepare
    const query = signAppProxyQuery(shopifyParams(), appSecret);

    // Act
    const verified = verify(query);

    // Assess
    expect(verified).toEqual({
      customerGid: "gid://shopify/Customer/8840734670934",
      customerId: "8840734670934",
      shopDomain,
    });
  });

  it("accepts a leading question mark", () => {
    expect(verify(`?${signAppProxyQuery(shopifyParams(), appSecret)}`).customerId).toBe("8840734670934");
  });

  describe("matches the message Shopify signs", () => {
    // The form of Shopify's own test vector (shopify-app-js hmac-validator.test.ts).
    const secret = "my super secret key";
    const vectorTime = 1_700_000_000;
    const expected = hmacHex(
      secret,
      `logged_in_customer_id=1path_prefix=/apps/my_appshop=the shop URLtimestamp=${vectorTime}`,
    );
    const options = { appSecret: secret, shopDomain: "the shop URL", now: new Date(vectorTime * 1000) };

    it("computes the same digest as the research test vector", () => {
      expect(
        appProxySignature(
          {
            shop: "the shop URL",
            logged_in_customer_id: "1",
            path_prefix: "/apps/my_app",
            timestamp: "1700000000",
          },
          secret,
        ),
      ).toBe(expected);
    });

    it.each([
      ["+", "the+shop+URL"],
      ["%20", "the%20shop%20URL"],
    ])("decodes a space written as %s", (_form, shop) => {
      const query = `shop=${shop}&logged_in_customer_id=1&path_prefix=%2Fapps%2Fmy_app&timestamp=${vectorTime}&signature=${expected}`;

      expect(verify(query, options).customerId).toBe("1");
    });

    it("keeps a literal plus sign written as %2B", () => {
      const message = `logged_in_customer_id=1path_prefix=/apps/a+bshop=${shopDomain}timestamp=${timestamp}`;
      const query = `shop=${shopDomain}&logged_in_customer_id=1&path_prefix=%2Fapps%2Fa%2Bb&timestamp=${timestamp}&signature=${hmacHex(appSecret, message)}`;

      expect(verify(query).customerId).toBe("1");
    });

    it("signs repeated keys as one comma-joined value (extra=1&extra=2 as extra=1,2)", () => {
      // Prepare: the query shape of Shopify's app proxy documentation.
      const message = `extra=1,2logged_in_customer_id=1path_prefix=/apps/awesome_reviewsshop=${shopDomain}timestamp=${timestamp}`;
      const query = `extra=1&extra=2&shop=${shopDomain}&logged_in_customer_id=1&path_prefix=%2Fapps%2Fawesome_reviews&timestamp=${timestamp}&signature=${hmacHex(appSecret, message)}`;

      // Act & Assess
      expect(verify(query).customerId).toBe("1");
      expect(signAppProxyQuery(shopifyParams({ extra: ["1", "2"] }), appSecret)).toContain(
        "extra=1&extra=2&",
      );
      // Order is part of the value: 2,1 is not 1,2.
      expectRejected(query.replace("extra=1&extra=2", "extra=2&extra=1"), /signature is invalid/);
    });
  });

  it("rejects a tampered value", () => {
    const query = signAppProxyQuery(shopifyParams(), appSecret).replace("8840734670934", "8840734670935");

    expectRejected(query, /signature is invalid/);
  });

  it("rejects a signature made with another secret", () => {
    expectRejected(signAppProxyQuery(shopifyParams(), "another-secret"), /signature is invalid/);
  });

  it.each(["", "signature=", "signature=zz", "signature=ABCDEF"])(
    "rejects the malformed signature %j",
    (extra) => {
      const unsigned = new URLSearchParams(shopifyParams()).toString();

      expectRejected(`${unsigned}&${extra}`, /not signed|signature is invalid/);
    },
  );

  it("rejects a query without a signature", () => {
    expectRejected(new URLSearchParams(shopifyParams()).toString(), /not signed by Shopify's app proxy/);
  });

  it("rejects a query without a Shopify parameter even when signed", () => {
    const { path_prefix: _omitted, ...params } = shopifyParams();

    expectRejected(signAppProxyQuery(params, appSecret), /lacks "path_prefix"/);
  });

  it.each([
    ["91 s old", timestamp - 91],
    ["91 s in the future", timestamp + 91],
  ])("rejects a timestamp %s", (_case, stale) => {
    expectRejected(signAppProxyQuery(shopifyParams({ timestamp: String(stale) }), appSecret), /too old/);
  });

  it("accepts a timestamp exactly 90 s old and honours maxAgeSeconds", () => {
    const query = signAppProxyQuery(shopifyParams({ timestamp: String(timestamp - 90) }), appSecret);

    expect(verify(query).customerId).toBe("8840734670934");
    expectRejected(query, /too old/, { maxAgeSeconds: 30 });
  });

  it("rejects a non-numeric timestamp", () => {
    expectRejected(signAppProxyQuery(shopifyParams({ timestamp: "soon" }), appSecret), /too old/);
  });

  it.each(["timestamp", "shop", "logged_in_customer_id", "path_prefix"])(
    "rejects a repeated %s even when the joined value is signed",
    (key) => {
      const params = shopifyParams();
      const value = params[key as keyof typeof params];
      const query = signAppProxyQuery({ ...params, [key]: [value, value] }, appSecret);

      expectRejected(query, new RegExp(`repeats "${key}"`));
    },
  );

  it("rejects a repeated signature", () => {
    const query = signAppProxyQuery(shopifyParams(), appSecret);
    const signature = query.slice(query.indexOf("signature="));

    expectRejected(`${query}&${signature}`, /repeats "signature"/);
  });

  it("rejects a request from a visitor who is not signed in", () => {
    expectRejected(
      signAppProxyQuery(shopifyParams({ logged_in_customer_id: "" }), appSecret),
      /not signed in/,
    );
  });

  it("rejects a malformed customer id", () => {
    expectRejected(
      signAppProxyQuery(shopifyParams({ logged_in_customer_id: "12ab" }), appSecret),
      /malformed/,
    );
  });

  it("rejects a request signed for another shop", () => {
    expectRejected(
      signAppProxyQuery(shopifyParams({ shop: "other-shop.myshopify.com" }), appSecret),
      /signed for another shop/,
    );
  });

  it("accepts the configured shop written as a URL", () => {
    const query = signAppProxyQuery(shopifyParams(), appSecret);

    expect(verify(query, { shopDomain: `https://${shopDomain}/` }).shopDomain).toBe(shopDomain);
  });

  it("rejects malformed percent-encoding", () => {
    expectRejected(`${signAppProxyQuery(shopifyParams(), appSecret)}&bad=%E0%A4%A`, /malformed/);
  });

  describe("closes the ambiguity of Shopify's separator-free message", () => {
    it("accepts the parameters a storefront adds (campaign tags, cache busters, locale)", () => {
      // Shopify forwards and signs every query parameter of the storefront URL.
      const query = signAppProxyQuery(
        shopifyParams({
          utm_source: "newsletter",
          utm_medium: "email",
          utm_campaign: "winter sale 2026",
          fbclid: "IwAR3x_9-Zq",
          _: "1796000000123",
          v: "3",
          locale: "ja",
          extra: ["1", "2"],
        }),
        appSecret,
      );

      expect(verify(query).customerId).toBe("8840734670934");
    });

    it("rejects a re-split query that would change the customer", () => {
      // Prepare: what Shopify forwards when a visitor signed in as 111 smuggles a crafted value...
      const genuine = shopifyParams({ a: "xlogged_in_customer_id=222m", logged_in_customer_id: "111" });
      // ...and the same message re-split so that it names customer 222.
      const resplit = shopifyParams({ a: "x", logged_in_customer_id: "222", mlogged_in_customer_id: "111" });
      const signature = appProxySignature(genuine, appSecret);
      expect(appProxySignature(resplit, appSecret)).toBe(signature);
      const forged = `${new URLSearchParams(resplit).toString()}&signature=${signature}`;

      // Act & Assess
      expectRejected(forged, /could be read as one of Shopify's/);
      expectRejected(signAppProxyQuery(genuine, appSecret), /containing '='/);
    });

    it.each([
      "id",
      "omer_id",
      "stamp",
      "op",
      "mlogged_in_customer_id",
      "xshop",
      "my_timestamp",
      "xsignature",
    ])("rejects a storefront parameter named %j, which could stand for one of Shopify's", (name) => {
      expectRejected(
        signAppProxyQuery(shopifyParams({ [name]: "1" }), appSecret),
        /could be read as one of Shopify's/,
      );
    });

    it.each(["shop", "timestamp", "logged_in_customer_id", "path_prefix"])("rejects a second %s", (name) => {
      const params = shopifyParams();
      expectRejected(
        signAppProxyQuery(
          { ...params, [name]: [params[name as keyof typeof params] as string, "1"] },
          appSecret,
        ),
        /repeats/,
      );
    });

    /**
     * Every reading of a genuinely signed message that the check accepts names the same customer,
     * shop and time as Shopify's own reading: all ways of splitting the message back into
     * `key=value` pairs (keys ascending, as the signed message sorts them) are tried.
     */
    it.each<Record<string, string>>([
      { a: "xlogged_in_customer_id=222m" },
      { a: "x", zz: "1logged_in_customer_id=222" },
      { logged_in_customer_id5: "1", z: "timestamp=1795000099" },
      { ab: "1=2", shop0: "=x", ti: "mestamp=1795000099y" },
      { a: "shop=evil.myshopify.comb", s: "hop=x" },
      { utm_source: "mail", logged_in_customer_id5: "22", v: "3", _: "9" },
    ])("no accepted reading of a signed message changes who or when (%j)", (smuggled) => {
      const genuine = shopifyParams({ ...smuggled, logged_in_customer_id: "111" });
      const signature = appProxySignature(genuine, appSecret);
      const message = Object.entries(genuine)
        .sort(([a], [b]) => (a < b ? -1 : 1))
        .map(([key, value]) => `${key}=${value}`)
        .join("");

      let accepted = 0;
      for (const reading of readings(message)) {
        const query = `${reading.map(([key, value]) => `${encodeURIComponent(key)}=${encodeURIComponent(value)}`).join("&")}&signature=${signature}`;
        let verified: ReturnType<typeof verify> | undefined;
        try {
          verified = verify(query);
        } catch (error) {
          expect(error).toBeInstanceOf(Unauthenticated);
        }
        if (verified === undefined) continue;
        accepted += 1;
        expect(verified).toEqual({
          customerGid: "gid://shopify/Customer/111",
          customerId: "111",
          shopDomain,
        });
        expect(Object.fromEntries(reading).timestamp).toBe(String(timestamp));
      }
      // A value with '=' is refused even in Shopify's own reading; otherwise that reading passes.
      const smuggledEquals = Object.values(smuggled).some((value) => value.includes("="));
      expect(accepted > 0).toBe(!smuggledEquals);
    });
  });
});

/** All ways to read `message` as `k1=v1k2=v2…` with keys strictly ascending and no '=' inside. */
function* readings(message: string): Generator<[string, string][]> {
  const parts = message.split("=");
  function* from(index: number, key: string, pairs: [string, string][]): Generator<[string, string][]> {
    const segment = parts[index + 1] ?? "";
    if (index + 1 === parts.length - 1) {
      yield [...pairs, [key, segment]];
      return;
    }
    for (let cut = 0; cut <= segment.length; cut += 1) {
      const next = segment.slice(cut);
      if (next > key) yield* from(index + 1, next, [...pairs, [key, segment.slice(0, cut)]]);
    }
  }
  yield* from(0, parts[0] ?? "", []);
}
