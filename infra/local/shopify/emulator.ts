import { timingSafeEqual } from "node:crypto";
import { execute, GraphQLError, parse, validate } from "graphql";
import { Hono } from "hono";
import { z } from "zod";
import { demoCredentials, demoShop } from "../demo-data";
import { EmulatorControl, type LatencyTable, mountControlRoutes, runOperation } from "../emulation/control";
import { type RunningServer, serveApp } from "../emulation/serve";
import { mountStorefront } from "../storefront";
import {
  type BucketOptions,
  firstOperation,
  LeakyBucket,
  type QueryCost,
  requestedCost,
  rootFieldName,
} from "./cost";
import { AccessTokenIssuer, OAUTH_OPERATION } from "./oauth";
import { createRootValue } from "./resolvers";
import { adminSchema } from "./schema";
import { ShopifyStore } from "./store";
import { deliverWebhook, type OrderTopic, restOrderJson, type WebhookDelivery } from "./webhooks";

/**
 * Shopify Admin GraphQL emulator: `POST /admin/api/{version}/graphql.json` executed by graphql-js
 * on a schema with Shopify's names, plus the shared `/_control` API (latency, faults, reset) and
 * two emulator-only routes: `GET /_control/discounts` and `POST /_control/orders`.
 */

export interface ShopifyEmulatorOptions {
  /** A static token an old custom app would use; accepted beside the tokens the grant issues. */
  accessToken?: string;
  /** Lifetime of tokens from the client-credentials grant; about a day, as Shopify's. */
  tokenLifetimeSeconds?: number;
  appSecret?: string;
  clientId?: string;
  shopDomain?: string;
  latencyProfile?: ShopifyLatencyProfile;
  /** Where order webhooks go when `POST /_control/orders` names no URL. */
  webhookUrl?: string;
  /** API version stamped on webhooks. */
  apiVersion?: string;
  now?: () => Date;
  /** Leaky bucket size; Shopify's dev stores show 2000 points restoring at 100/s. */
  bucket?: Partial<BucketOptions>;
  /** Serve the demo storefront (account page with the theme block, App Proxy to this API). */
  storefront?: { apiUrl: string };
}

/**
 * `seed` reproduces the waits measured for the design seed: a discount create takes 800 ms and a
 * metafield write 300 ms; reads and other mutations answer at once.
 */
export const shopifyLatencyProfiles = {
  none: {},
  seed: { discountCodeBasicCreate: 800, metafieldsSet: 300 },
} satisfies Record<string, LatencyTable>;
export type ShopifyLatencyProfile = keyof typeof shopifyLatencyProfiles;

export interface ShopifyEmulator {
  app: Hono;
  control: EmulatorControl;
  store: ShopifyStore;
  bucket: LeakyBucket;
  /** The client-credentials grant's tokens: shorten their lifetime or expire them in tests. */
  tokens: AccessTokenIssuer;
}

const INVALID_TOKEN = "[API] Invalid API key or access token (unrecognized login or wrong password)";
const THROTTLE_DOCS = "https://shopify.dev/api/usage/rate-limits";
const DEFAULT_WEBHOOK_API_VERSION = "2026-10";

const graphqlBodySchema = z.object({
  query: z.string().min(1),
  variables: z.record(z.string(), z.unknown()).nullish(),
  operationName: z.string().nullish(),
});

const orderBodySchema = z.object({
  code: z.string().min(1),
  customerId: z.string().min(1).optional(),
  webhookUrl: z.url().optional(),
  subtotal: z.number().positive().optional(),
});

export function createShopifyEmulator(options: ShopifyEmulatorOptions = {}): ShopifyEmulator {
  const accessToken = options.accessToken ?? demoCredentials.shopifyAdminToken;
  const appSecret = options.appSecret ?? demoCredentials.shopifyAppSecret;
  const shopDomain = options.shopDomain ?? demoShop.domain;
  const now = options.now ?? (() => new Date());
  const store = new ShopifyStore({
    clientId: options.clientId ?? demoCredentials.shopifyClientId,
    currency: demoShop.currency,
    now,
  });
  const bucket = new LeakyBucket({
    maximumAvailable: options.bucket?.maximumAvailable ?? 2000,
    restoreRate: options.bucket?.restoreRate ?? 100,
  });
  // Operations are the GraphQL root fields a document selects first.
  const control = new EmulatorControl(shopifyLatencyProfiles[options.latencyProfile ?? "none"], {
    operations: [
      OAUTH_OPERATION,
      ...Object.keys(adminSchema.getQueryType()?.getFields() ?? {}),
      ...Object.keys(adminSchema.getMutationType()?.getFields() ?? {}),
    ],
  });
  const rootValue = createRootValue(store);
  const app = new Hono();
  // The app's client secret is also what signs webhooks and app proxy requests.
  const tokens = new AccessTokenIssuer({
    clientId: options.clientId ?? demoCredentials.shopifyClientId,
    clientSecret: appSecret,
    tokenLifetimeSeconds: options.tokenLifetimeSeconds ?? 86_399,
    now,
  });
  tokens.mount(app, control);

  const costOf = (requested: number, applied: boolean): QueryCost => ({
    requestedQueryCost: requested,
    actualQueryCost: applied ? requested : null,
    throttleStatus: bucket.status(),
  });

  const throttled = (requested: number) =>
    Response.json({
      errors: [{ message: "Throttled", extensions: { code: "THROTTLED", documentation: THROTTLE_DOCS } }],
      extensions: { cost: costOf(requested, false) },
    });

  const graphqlErrors = (errors: readonly GraphQLError[], code?: string) =>
    Response.json({
      errors: errors.map((error) => {
        const json = error.toJSON();
        return code ? { ...json, extensions: { ...json.extensions, code } } : json;
      }),
      extensions: { cost: costOf(0, true) },
    });

  app.post("/admin/api/:version/graphql.json", async (c) => {
    if (!/^(\d{4}-\d{2}|unstable)$/.test(c.req.param("version"))) return c.json({ errors: "Not Found" }, 404);
    const presented = c.req.header("X-Shopify-Access-Token");
    if (!tokenMatches(presented, accessToken) && !tokens.accepts(presented ?? "")) {
      return c.json({ errors: INVALID_TOKEN }, 401);
    }
    const body = graphqlBodySchema.safeParse(await c.req.json().catch(() => undefined));
    if (!body.success) return c.json({ errors: { query: "Required parameter missing or invalid" } }, 400);

    let document: ReturnType<typeof parse>;
    try {
      document = parse(body.data.query);
    } catch (error) {
      if (error instanceof GraphQLError) return graphqlErrors([error], "PARSE_ERROR");
      throw error;
    }
    const validationErrors = validate(adminSchema, document);
    if (validationErrors.length > 0) return graphqlErrors(validationErrors);
    const operation = firstOperation(document, body.data.operationName ?? undefined);
    if (!operation) return graphqlErrors([new GraphQLError("No operation named in the document.")]);

    const cost = requestedCost(document, operation);
    return runOperation(control, rootFieldName(operation), c.req.raw, {
      commit: async () => {
        // A throttled request applies nothing, so the bucket is checked before executing.
        if (!bucket.tryTake(cost)) return throttled(cost);
        const result = await execute({
          schema: adminSchema,
          document,
          rootValue,
          variableValues: body.data.variables ?? undefined,
          operationName: body.data.operationName ?? undefined,
        });
        return Response.json({ ...result, extensions: { cost: costOf(cost, true) } });
      },
      failure: (kind) => {
        if (kind === "throttle") return throttled(cost);
        const status = kind === "http500" ? 500 : 503;
        return Response.json(
          { errors: status === 500 ? "Internal Server Error" : "Service Unavailable" },
          { status },
        );
      },
    });
  });

  if (options.storefront) {
    mountStorefront(app, {
      apiUrl: options.storefront.apiUrl,
      appSecret,
      shopDomain,
      shopName: demoShop.name,
      currency: store.currency,
      customers: () => store.listCustomers(),
      now,
    });
  }

  mountControlRoutes(app, control, shopifyLatencyProfiles, () => {
    store.reset();
    bucket.reset();
    tokens.reset();
  });

  app.get("/_control/discounts", (c) =>
    c.json({
      discounts: store.listDiscounts().map((discount) => ({
        id: discount.id,
        kind: discount.kind,
        code: discount.code,
        title: discount.title,
        status: store.statusOf(discount),
        startsAt: discount.startsAt.toISOString(),
        endsAt: discount.endsAt?.toISOString() ?? null,
        usageLimit: discount.usageLimit,
        asyncUsageCount: store.asyncUsageCountOf(discount),
        customerIds: discount.context.kind === "customers" ? discount.context.customerIds : "ALL",
      })),
    }),
  );

  /** Delays orders in `asyncUsageCount` by `ms`, as Shopify's asynchronous count may lag. */
  app.put("/_control/usage-count-lag", async (c) => {
    const parsed = z
      .object({ ms: z.number().int().min(0) })
      .safeParse(await c.req.json().catch(() => undefined));
    if (!parsed.success) return c.json({ error: z.prettifyError(parsed.error) }, 400);
    store.setUsageCountLag(parsed.data.ms);
    return c.json(parsed.data);
  });

  /** Sets how many points the bucket holds, e.g. 0 to exercise throttling. */
  app.put("/_control/bucket", async (c) => {
    const parsed = z
      .object({ currentlyAvailable: z.number().min(0) })
      .safeParse(await c.req.json().catch(() => undefined));
    if (!parsed.success) return c.json({ error: z.prettifyError(parsed.error) }, 400);
    bucket.setAvailable(parsed.data.currentlyAvailable);
    return c.json(bucket.status());
  });

  /** A checkout that redeems a code: raises its usage count and sends the order webhooks. */
  app.post("/_control/orders", async (c) => {
    const parsed = orderBodySchema.safeParse(await c.req.json().catch(() => undefined));
    if (!parsed.success) return c.json({ error: z.prettifyError(parsed.error) }, 400);
    const placed = store.placeOrder(parsed.data);
    if (!placed.ok) return c.json({ error: placed.message }, placed.status);

    const orderNumber = store.orderNumber();
    const topics: OrderTopic[] = ["orders/create", "orders/paid"];
    const url = parsed.data.webhookUrl ?? options.webhookUrl;
    const deliveries: WebhookDelivery[] = [];
    if (url) {
      for (const topic of topics) {
        const payload = restOrderJson(placed.order, orderNumber, store.currency, topic);
        deliveries.push(
          await deliverWebhook(
            url,
            topic,
            payload,
            { appSecret, shopDomain, apiVersion: options.apiVersion ?? DEFAULT_WEBHOOK_API_VERSION },
            now(),
          ),
        );
      }
    }
    return c.json(
      {
        order: restOrderJson(placed.order, orderNumber, store.currency, "orders/paid"),
        asyncUsageCount: store.asyncUsageCountOf(placed.order.discount),
        deliveries,
      },
      201,
    );
  });

  return { app, control, store, bucket, tokens };
}

export interface RunningShopifyEmulator extends RunningServer, ShopifyEmulator {}

export async function startShopifyEmulator(
  options: ShopifyEmulatorOptions & { port: number },
): Promise<RunningShopifyEmulator> {
  const emulator = createShopifyEmulator(options);
  const server = await serveApp(emulator.app, options.port);
  return { ...emulator, url: server.url, port: server.port, close: () => server.close() };
}

function tokenMatches(given: string | undefined, expected: string): boolean {
  if (!given) return false;
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}
