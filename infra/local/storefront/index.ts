import { createHmac, timingSafeEqual } from "node:crypto";
import { readFileSync } from "node:fs";
import type { Context, Hono } from "hono";
import { Liquid, type Context as LiquidContext, type TagToken, type TopLevelToken } from "liquidjs";
import { signAppProxyQuery } from "../../../shared/auth/app-proxy";
import { customerGid } from "../../../shared/auth/shopify-ids";

/**
 * A demo storefront on the Shopify emulator: a sign-in form choosing a demo customer, and an
 * account page that renders the theme app block (`extensions/loyalty-theme/blocks/points.liquid`,
 * through a Liquid engine) with its script and styles. Requests to `/apps/loyalty/*` are forwarded
 * to the local API the way Shopify's App Proxy forwards them: the storefront's cookies stay behind,
 * and the query gains `logged_in_customer_id` (empty when nobody is signed in), `shop`,
 * `path_prefix` and `timestamp`, signed with the app's secret (hex HMAC-SHA256 of the sorted
 * `key=value` pairs; shopify.dev/docs/apps/build/online-store/app-proxies/authenticate-app-proxies),
 * so the API's real signature check runs.
 *
 * Emulator-only, not Shopify behaviour: the sign-in form (Shopify's own customer sign-in is an
 * emailed code), the `?customer=` shortcut and the session cookie's shape.
 */

export interface StorefrontOptions {
  /** The loyalty API the proxy forwards to (the app proxy's "Proxy URL"). */
  apiUrl: string;
  appSecret: string;
  shopDomain: string;
  shopName: string;
  currency: string;
  /** Shopify customer records of the emulated shop. */
  customers: () => ReadonlyArray<StorefrontCustomer>;
  now?: () => Date;
  /** Lifetime of a demo sign-in. */
  sessionSeconds?: number;
}

export interface StorefrontCustomer {
  /** `gid://shopify/Customer/<id>` */
  id: string;
  firstName: string | null;
  lastName: string | null;
  locale: string;
}

export const APP_PROXY_PREFIX = "/apps/loyalty";
const SESSION_COOKIE = "storefront_session";
const repositoryRoot = new URL("../../../", import.meta.url);
const themeExtension = new URL("extensions/loyalty-theme/", repositoryRoot);
const blockFile = new URL("blocks/points.liquid", themeExtension);

/**
 * The demo customers' names as written on the Japanese storefront. The emulated Shopify record
 * holds one romanised name; a real customer's record holds whatever they typed.
 */
const japaneseNames: Record<string, { firstName: string; lastName: string }> = {
  "8840734670934": { firstName: "太郎", lastName: "山田" },
  "8840734670935": { firstName: "花子", lastName: "鈴木" },
  "8840734670936": { firstName: "次郎", lastName: "田中" },
};

type Locale = "ja" | "en";
const localeOf = (value: string | undefined): Locale | undefined =>
  value === "ja" || value === "en" ? value : undefined;

const numericId = (gid: string) => gid.slice(gid.lastIndexOf("/") + 1);

function readJson(url: URL): Record<string, unknown> {
  return JSON.parse(readFileSync(url, "utf8")) as Record<string, unknown>;
}

/** `a.b.c` in a nested JSON object, as Shopify's `t` filter looks keys up. */
function lookup(tree: Record<string, unknown>, key: string): string | undefined {
  let node: unknown = tree;
  for (const part of key.split(".")) {
    if (typeof node !== "object" || node === null) return undefined;
    node = (node as Record<string, unknown>)[part];
  }
  return typeof node === "string" ? node : undefined;
}

/** The block's `{% schema %}` settings with their defaults, as Shopify fills `block.settings`. */
function blockDefaults(source: string): Record<string, unknown> {
  const match = /\{%\s*schema\s*%\}([\s\S]*?)\{%\s*endschema\s*%\}/.exec(source);
  if (!match?.[1]) throw new Error("The points block has no {% schema %}");
  const schema = JSON.parse(match[1]) as { settings?: Array<{ id: string; default?: unknown }> };
  return Object.fromEntries((schema.settings ?? []).map((setting) => [setting.id, setting.default ?? ""]));
}

function createEngine(): Liquid {
  const engine = new Liquid({ strictFilters: true, outputEscape: undefined });
  // Shopify's `{% schema %}` is the theme editor's metadata: it renders nothing.
  engine.registerTag("schema", {
    parse(_token: TagToken, remaining: TopLevelToken[]) {
      for (let token = remaining.shift(); token; token = remaining.shift()) {
        if (token.kind === 4 /* TokenKind.Tag */ && (token as TagToken).name === "endschema") return;
      }
      throw new Error("{% schema %} without {% endschema %}");
    },
    render() {
      return "";
    },
  });
  engine.registerFilter("asset_url", (name: string) => `/cdn/loyalty-theme/${encodeURIComponent(name)}`);
  engine.registerFilter(
    "stylesheet_tag",
    (url: string) => `<link rel="stylesheet" href="${url}" media="all">`,
  );
  return engine;
}

function sessionValue(customerId: string, expires: number, secret: string): string {
  const payload = `${customerId}.${expires}`;
  const mac = createHmac("sha256", `storefront-session:${secret}`).update(payload).digest("hex");
  return `${payload}.${mac}`;
}

function customerFromSession(cookie: string | undefined, secret: string, now: Date): string | undefined {
  const match = /^(\d+)\.(\d+)\.([0-9a-f]{64})$/.exec(cookie ?? "");
  if (!match?.[1] || !match[2] || !match[3]) return undefined;
  const expected = Buffer.from(sessionValue(match[1], Number(match[2]), secret).split(".")[2] ?? "", "hex");
  if (!timingSafeEqual(expected, Buffer.from(match[3], "hex"))) return undefined;
  return Number(match[2]) * 1000 > now.getTime() ? match[1] : undefined;
}

function cookieOf(c: Context, name: string): string | undefined {
  for (const part of (c.req.header("cookie") ?? "").split(";")) {
    const [key, ...rest] = part.trim().split("=");
    if (key === name) return decodeURIComponent(rest.join("="));
  }
  return undefined;
}

const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);

function layout(title: string, shopName: string, locale: Locale, main: string): string {
  return `<!doctype html>
<html lang="${locale}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="icon" href="data:,">
<title>${escapeHtml(title)} – ${escapeHtml(shopName)}</title>
<style>
  body { margin: 0; font-family: system-ui, "Hiragino Sans", "Noto Sans JP", "IPAGothic", sans-serif; color: #1c1d1d; background: #fff; }
  header { border-bottom: 1px solid #e5e5e5; padding: 1rem 2rem; display: flex; justify-content: space-between; align-items: center; }
  header a { color: inherit; }
  .shop-name { font-size: 1.25rem; font-weight: 700; letter-spacing: .04em; text-decoration: none; }
  main { padding: 1.5rem 2rem 4rem; max-width: 60rem; margin: 0 auto; }
  h1 { font-size: 1.8rem; font-weight: 600; }
  .signin { max-width: 28rem; display: grid; gap: 1rem; }
  .signin fieldset { border: 1px solid #d0d0d0; border-radius: .5rem; padding: 1rem; display: grid; gap: .5rem; }
  .signin button { font: inherit; padding: .6rem 1rem; background: #1c1d1d; color: #fff; border: 0; border-radius: .4rem; cursor: pointer; }
</style>
</head>
<body>
<header><a class="shop-name" href="/account">${escapeHtml(shopName)}</a><nav><a href="/account/logout">${locale === "ja" ? "ログアウト" : "Sign out"}</a></nav></header>
<main>${main}</main>
</body>
</html>`;
}

export function mountStorefront(app: Hono, options: StorefrontOptions): void {
  const now = options.now ?? (() => new Date());
  const sessionSeconds = options.sessionSeconds ?? 3600;
  const engine = createEngine();
  const locales: Record<Locale, Record<string, unknown>> = {
    en: readJson(new URL("locales/en.default.json", themeExtension)),
    ja: readJson(new URL("locales/ja.json", themeExtension)),
  };
  // Shopify's `t`: the key in the storefront locale's file, else the default (English) one.
  engine.registerFilter("t", function (this: { context: LiquidContext }, key: string) {
    const locale = localeOf(String(this.context.getSync(["request", "locale", "iso_code"]))) ?? "en";
    return lookup(locales[locale], key) ?? lookup(locales.en, key) ?? key;
  });

  const customerById = (id: string) =>
    options.customers().find((customer) => customer.id === customerGid(id));

  const signIn = (c: Context, id: string) => {
    const expires = Math.floor(now().getTime() / 1000) + sessionSeconds;
    c.header(
      "set-cookie",
      `${SESSION_COOKIE}=${sessionValue(id, expires, options.appSecret)}; Path=/; Max-Age=${sessionSeconds}; HttpOnly; SameSite=Lax`,
    );
  };

  const signInPage = (c: Context, locale: Locale, message?: string) => {
    const ja = locale === "ja";
    const choices = options
      .customers()
      .map((customer, index) => {
        const id = numericId(customer.id);
        const name = `${customer.firstName ?? ""} ${customer.lastName ?? ""}`.trim();
        return `<label><input type="radio" name="customer" value="${id}"${index === 0 ? " checked" : ""}> ${escapeHtml(name)} (${id})</label>`;
      })
      .join("\n");
    return c.html(
      layout(
        ja ? "ログイン" : "Sign in",
        options.shopName,
        locale,
        `<h1>${ja ? "ログイン" : "Sign in"}</h1>
${message ? `<p role="alert">${escapeHtml(message)}</p>` : ""}
<form class="signin" method="post" action="/account/login">
<fieldset><legend>${ja ? "デモのお客様" : "Demo customer"}</legend>
${choices}
</fieldset>
<label>${ja ? "言語" : "Language"}
<select name="locale"><option value="ja"${ja ? " selected" : ""}>日本語</option><option value="en"${ja ? "" : " selected"}>English</option></select></label>
<button type="submit">${ja ? "ログイン" : "Sign in"}</button>
</form>`,
      ),
      200,
    );
  };

  app.get("/account/login", (c) => signInPage(c, localeOf(c.req.query("locale")) ?? "ja"));

  app.post("/account/login", async (c) => {
    const form = await c.req.parseBody();
    const id = typeof form.customer === "string" ? form.customer : "";
    const locale = localeOf(typeof form.locale === "string" ? form.locale : undefined) ?? "ja";
    if (!/^\d+$/.test(id) || !customerById(id)) {
      return signInPage(c, locale, locale === "ja" ? "お客様を選んでください" : "Choose a customer");
    }
    signIn(c, id);
    return c.redirect(`/account?locale=${locale}`, 303);
  });

  app.get("/account/logout", (c) => {
    c.header("set-cookie", `${SESSION_COOKIE}=; Path=/; Max-Age=0; HttpOnly; SameSite=Lax`);
    return c.redirect("/account/login", 303);
  });

  app.get("/account", async (c) => {
    // `?customer=<id>`: a shortcut that signs the demo customer in first.
    const asked = c.req.query("customer");
    let customerId: string | undefined;
    if (asked !== undefined) {
      if (!/^\d+$/.test(asked) || !customerById(asked)) {
        return c.text(`No demo customer ${asked}; see /account/login for the list`, 404);
      }
      signIn(c, asked);
      customerId = asked;
    } else {
      customerId = customerFromSession(cookieOf(c, SESSION_COOKIE), options.appSecret, now());
    }
    const customer = customerId ? customerById(customerId) : undefined;
    if (!customerId || !customer) return c.redirect("/account/login", 303);

    const locale = localeOf(c.req.query("locale")) ?? localeOf(customer.locale) ?? "ja";
    const source = readFileSync(blockFile, "utf8");
    const names =
      locale === "ja"
        ? (japaneseNames[customerId] ?? { firstName: customer.firstName, lastName: customer.lastName })
        : { firstName: customer.firstName, lastName: customer.lastName };
    const block = await engine.parseAndRender(source, {
      customer: { id: customerId, first_name: names.firstName, last_name: names.lastName },
      request: { locale: { iso_code: locale } },
      routes: { root_url: "/", account_login_url: "/account/login" },
      shop: { currency: options.currency, permanent_domain: options.shopDomain },
      block: { settings: blockDefaults(source), shopify_attributes: "" },
    });
    return c.html(
      layout(
        locale === "ja" ? "アカウント" : "Account",
        options.shopName,
        locale,
        `<h1>${locale === "ja" ? "アカウント" : "Account"}</h1>\n${block}`,
      ),
    );
  });

  app.get("/cdn/loyalty-theme/:name", (c) => {
    const name = c.req.param("name");
    if (!/^[\w.-]+\.(js|css)$/.test(name)) return c.text("Not Found", 404);
    let body: string;
    try {
      body = readFileSync(new URL(`assets/${name}`, themeExtension), "utf8");
    } catch {
      return c.text("Not Found", 404);
    }
    return c.body(body, 200, {
      "content-type": name.endsWith(".js") ? "text/javascript; charset=utf-8" : "text/css; charset=utf-8",
    });
  });

  // The App Proxy: `/apps/loyalty/<path>` → `<apiUrl>/<path>` with Shopify's signed parameters.
  app.all(`${APP_PROXY_PREFIX}/*`, async (c) => {
    const url = new URL(c.req.url);
    const rest = url.pathname.slice(APP_PROXY_PREFIX.length) || "/";
    const customerId = customerFromSession(cookieOf(c, SESSION_COOKIE), options.appSecret, now()) ?? "";
    const params: Record<string, string[]> = {};
    for (const [key, value] of url.searchParams) params[key] = [...(params[key] ?? []), value];
    const query = signAppProxyQuery(
      {
        ...params,
        logged_in_customer_id: customerId,
        path_prefix: APP_PROXY_PREFIX,
        shop: options.shopDomain,
        timestamp: String(Math.floor(now().getTime() / 1000)),
      },
      options.appSecret,
    );
    const headers = new Headers();
    for (const name of ["accept", "accept-language", "content-type", "idempotency-key", "user-agent"]) {
      const value = c.req.header(name);
      if (value !== undefined) headers.set(name, value);
    }
    const method = c.req.method.toUpperCase();
    const body = method === "GET" || method === "HEAD" ? undefined : await c.req.arrayBuffer();
    let answer: Response;
    try {
      answer = await fetch(`${options.apiUrl}${rest}?${query}`, { method, headers, body });
    } catch {
      return c.text("Bad Gateway", 502);
    }
    const out = new Headers();
    for (const name of ["content-type", "retry-after", "location", "content-language"]) {
      const value = answer.headers.get(name);
      if (value !== null) out.set(name, value);
    }
    return new Response(await answer.arrayBuffer(), { status: answer.status, headers: out });
  });
}
