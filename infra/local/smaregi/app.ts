import { type Context, Hono } from "hono";
import { z } from "zod";
import { DAY_MS } from "../../../shared/adapters/smaregi/time";
import { demoCredentials } from "../demo-data";
import { EmulatorControl, type LatencyTable, mountControlRoutes, runOperation } from "../emulation/control";
import { MAX_POINTS, SmaregiStore } from "./store";
import { type SmaregiScope, smaregiScopes, TOKEN_LIFETIME_SECONDS, TokenRegistry } from "./tokens";
import {
  badRequest,
  customerToWire,
  listResponse,
  notFound,
  parseListParameters,
  pointsToWire,
  problem,
  transactionToWire,
} from "./wire";

/**
 * Emulator of the Smaregi Platform API endpoints the loyalty service uses: the OAuth token
 * endpoint and `/{contractId}/pos/customers…` and `/transactions`. Operation names for the
 * control API are listed in README.md beside this file.
 */

export const smaregiOperations = [
  "token",
  "listCustomers",
  "getCustomer",
  "createCustomer",
  "getPoints",
  "addPoints",
  "setPoints",
  "listTransactions",
] as const;
export type SmaregiOperation = (typeof smaregiOperations)[number];

export const smaregiLatencyProfiles = {
  none: { default: 0 },
  seed: {
    token: 100,
    listCustomers: 250,
    getCustomer: 250,
    getPoints: 250,
    listTransactions: 250,
    addPoints: 600,
    default: 0,
  },
} satisfies Record<string, LatencyTable>;

export interface SmaregiEmulatorOptions {
  contractId?: string;
  clientId?: string;
  clientSecret?: string;
  /** `none` (default) answers at once; `seed` adds the latencies the design was sized for. */
  latencyProfile?: keyof typeof smaregiLatencyProfiles;
  now?: () => Date;
}

export interface SmaregiEmulator {
  readonly app: Hono;
  readonly control: EmulatorControl;
  readonly store: SmaregiStore;
  readonly tokens: TokenRegistry;
  readonly contractId: string;
  readonly clientId: string;
  readonly clientSecret: string;
}

/**
 * The transaction list refuses date ranges wider than this: Smaregi's gettransactions reference
 * says 31 days without saying how they are counted; 31 x 24 h is our reading.
 */
const MAX_TRANSACTION_RANGE_MS = 31 * DAY_MS;

const amount = z.string().regex(/^-?\d+$/, "数値文字列で指定してください。");
const date = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, "YYYY-MM-DD 形式で指定してください。");
const dateTime = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:Z|[+-]\d{2}:\d{2})$/;

const newCustomerSchema = z.object({
  customerCode: z
    .string()
    .regex(/^[\x20-\x7e]{1,20}$/, "会員コードは20文字以内の半角英数記号で指定してください。"),
  customerNo: z.string().max(20).nullish(),
  rank: z.string().max(20).nullish(),
  lastName: z.string().min(1).max(85),
  firstName: z.string().min(1).max(85),
  lastKana: z.string().max(85).nullish(),
  firstKana: z.string().max(85).nullish(),
  mailAddress: z.string().max(255).nullish(),
  status: z.enum(["0", "1", "2", "3", "4"]).optional(),
});

const pointAddSchema = z.object({
  point: amount,
  // Miles are accepted for fidelity but not modelled.
  mile: amount.optional(),
  pointExpireDate: date.optional(),
});

const pointSetSchema = z.object({
  point: amount.optional(),
  mile: amount.optional(),
  pointExpireDate: date.nullish(),
});

export function createSmaregiEmulator(options: SmaregiEmulatorOptions = {}): SmaregiEmulator {
  const contractId = options.contractId ?? demoCredentials.smaregiContractId;
  const clientId = options.clientId ?? demoCredentials.smaregiClientId;
  const clientSecret = options.clientSecret ?? demoCredentials.smaregiClientSecret;
  const now = options.now ?? (() => new Date());
  const control = new EmulatorControl(smaregiLatencyProfiles[options.latencyProfile ?? "none"], {
    operations: smaregiOperations,
  });
  const store = new SmaregiStore(now);
  const tokens = new TokenRegistry(now);
  const app = new Hono();

  mountControlRoutes(app, control, smaregiLatencyProfiles, () => store.reset());

  /**
   * Emulator only, not Smaregi: sets a member's points without a token or a transaction, for
   * fixtures reached over HTTP (the bench runs the emulator in another process). Answers the
   * account as `GET /customers/point` lists it.
   */
  app.put("/_control/customers/:customerId/points", async (c) => {
    const parsed = z
      .object({
        point: z.number().int().min(0).max(MAX_POINTS),
        pointExpireDate: z
          .string()
          .regex(/^\d{4}-\d{2}-\d{2}$/)
          .nullish(),
      })
      .safeParse(await c.req.json().catch(() => undefined));
    if (!parsed.success) return c.json({ error: z.prettifyError(parsed.error) }, 400);
    const account = store.setPoints(c.req.param("customerId"), parsed.data);
    return account ? c.json(pointsToWire(account)) : c.json({ error: "unknown customer" }, 404);
  });

  const failure = (kind: "http500" | "http503" | "throttle") => {
    switch (kind) {
      case "throttle":
        return problem(
          429,
          "Too Many Requests",
          "リクエスト数が上限を超えました。時間をおいて再度お試しください。",
          { "retry-after": "1" },
        );
      case "http503":
        return problem(503, "Service Unavailable", "ただいまメンテナンス中です。");
      case "http500":
        return problem(500, "Internal Server Error", "サーバーエラーが発生しました。");
    }
  };

  app.post("/app/:contractId/token", (c) =>
    runOperation(control, "token", c.req.raw, {
      commit: async () => {
        const invalidClient = c.json(
          { error: "invalid_client", error_description: "Client authentication failed." },
          401,
        );
        if (c.req.param("contractId") !== contractId) return invalidClient;
        const basic = /^Basic\s+(\S+)$/i.exec(c.req.header("authorization") ?? "")?.[1];
        const decoded = basic ? Buffer.from(basic, "base64").toString("utf8") : "";
        const separator = decoded.indexOf(":");
        if (
          separator < 0 ||
          decoded.slice(0, separator) !== clientId ||
          decoded.slice(separator + 1) !== clientSecret
        ) {
          return invalidClient;
        }
        const form = await c.req.parseBody().catch(() => ({}) as Record<string, unknown>);
        if (form.grant_type !== "client_credentials") {
          return c.json(
            { error: "unsupported_grant_type", error_description: "grant_type must be client_credentials." },
            400,
          );
        }
        const requested = typeof form.scope === "string" ? form.scope.split(/\s+/).filter(Boolean) : [];
        const unknown = requested.filter((scope) => !(smaregiScopes as readonly string[]).includes(scope));
        if (unknown.length > 0) {
          return c.json(
            { error: "invalid_scope", error_description: `Unknown scope: ${unknown.join(" ")}` },
            400,
          );
        }
        // Without a scope parameter the app gets every scope it is registered for.
        const granted = requested.length > 0 ? requested : [...smaregiScopes];
        const token = tokens.issue(contractId, granted);
        return c.json({
          access_token: token.accessToken,
          token_type: "Bearer",
          expires_in: TOKEN_LIFETIME_SECONDS,
          scope: granted.join(" "),
        });
      },
      failure,
    }),
  );

  /** Runs a POS operation under the control API, after the bearer token and scope checks. */
  const posOperation =
    (
      operation: SmaregiOperation,
      scope: SmaregiScope,
      handle: (c: Context) => Response | Promise<Response>,
    ) =>
    (c: Context) =>
      runOperation(control, operation, c.req.raw, {
        // Cached by Hono: the handler's own read of the body finds it after the caller has gone.
        receive: () => c.req.text().catch(() => ""),
        commit: () => {
          const check = tokens.check(c.req.header("authorization"), c.req.param("contractId") ?? "");
          if (!check.ok) {
            const detail =
              check.reason === "missing"
                ? "アクセストークンが指定されていません。"
                : check.reason === "expired"
                  ? "アクセストークンの有効期限が切れています。"
                  : "アクセストークンが無効です。";
            return problem(401, "Unauthorized", detail, { "www-authenticate": "Bearer" });
          }
          if (!check.token.scopes.has(scope)) {
            return problem(403, "Forbidden", `このAPIを利用するにはスコープ ${scope} が必要です。`);
          }
          return handle(c);
        },
        failure,
      });

  const unknownCustomer = () => notFound("指定された会員が見つかりません。");
  const readJson = async (c: Context): Promise<unknown> => c.req.json().catch(() => undefined);
  const validationDetail = (error: z.ZodError) =>
    error.issues.map((issue) => `${issue.path.join(".") || "body"}: ${issue.message}`).join(" / ");

  const pos = new Hono();

  pos.get(
    "/customers/point",
    posOperation("getPoints", "pos.customers:read", (c) => {
      const parameters = parseListParameters(c.req.query(), ["customerId"]);
      if (typeof parameters === "string") return badRequest(parameters);
      const customerId = c.req.query("customer_id");
      const ids =
        customerId === undefined ? store.listCustomers({}).map((row) => row.customerId) : [customerId];
      const rows = ids.flatMap((id) => {
        const account = store.getPoints(id);
        return account ? [pointsToWire(account)] : [];
      });
      return c.json(listResponse(rows, parameters));
    }),
  );

  pos.get(
    "/customers",
    posOperation("listCustomers", "pos.customers:read", (c) => {
      const parameters = parseListParameters(c.req.query(), [
        "customerId",
        "customerCode",
        "customerNo",
        "insDateTime",
        "updDateTime",
      ]);
      if (typeof parameters === "string") return badRequest(parameters);
      const rows = store
        .listCustomers({
          customerId: c.req.query("customer_id"),
          customerCode: c.req.query("customer_code"),
          customerNo: c.req.query("customer_no"),
        })
        .map(customerToWire);
      return c.json(listResponse(rows, parameters));
    }),
  );

  pos.get(
    "/customers/:customerId{[0-9]+}",
    posOperation("getCustomer", "pos.customers:read", (c) => {
      const customer = store.getCustomer(c.req.param("customerId") ?? "");
      return customer ? c.json(customerToWire(customer)) : unknownCustomer();
    }),
  );

  pos.post(
    "/customers",
    posOperation("createCustomer", "pos.customers:write", async (c) => {
      const parsed = newCustomerSchema.safeParse(await readJson(c));
      if (!parsed.success) return badRequest(validationDetail(parsed.error));
      const created = store.createCustomer(parsed.data);
      if (created === "duplicate-code") return badRequest("customerCode: 会員コードが重複しています。");
      return c.json(customerToWire(created));
    }),
  );

  pos.post(
    "/customers/:customerId{[0-9]+}/point/add",
    posOperation("addPoints", "pos.customers:write", async (c) => {
      const parsed = pointAddSchema.safeParse(await readJson(c));
      if (!parsed.success) return badRequest(validationDetail(parsed.error));
      const delta = Number(parsed.data.point);
      if (delta === 0 || Math.abs(delta) > MAX_POINTS) {
        return badRequest(`point: 0 以外の ${MAX_POINTS} 以下の値を指定してください。`);
      }
      const outcome = store.addPoints(c.req.param("customerId") ?? "", delta, parsed.data.pointExpireDate);
      switch (outcome.kind) {
        case "unknown-customer":
          return unknownCustomer();
        case "insufficient-points":
          return badRequest(
            `ポイントが不足しているため減算できません。(保有ポイント: ${outcome.account.point}、減算ポイント: ${-delta})`,
          );
        case "over-limit":
          return badRequest(`ポイントの上限(${MAX_POINTS})を超えるため加算できません。`);
        case "applied": {
          const { customerId, point, mile, pointExpireDate, updDateTime } = pointsToWire(outcome.account);
          return c.json({
            customerId,
            point,
            mile,
            pointExpireDate,
            updDateTime,
            transactionHeadIds: outcome.transactionHeadIds,
          });
        }
      }
    }),
  );

  pos.patch(
    "/customers/:customerId{[0-9]+}/point",
    posOperation("setPoints", "pos.customers:write", async (c) => {
      const parsed = pointSetSchema.safeParse(await readJson(c));
      if (!parsed.success) return badRequest(validationDetail(parsed.error));
      const point = parsed.data.point === undefined ? undefined : Number(parsed.data.point);
      if (point !== undefined && (point < 0 || point > MAX_POINTS)) {
        return badRequest(`point: 0 以上 ${MAX_POINTS} 以下の値を指定してください。`);
      }
      const account = store.setPoints(c.req.param("customerId") ?? "", {
        point,
        mile: parsed.data.mile === undefined ? undefined : Number(parsed.data.mile),
        pointExpireDate: parsed.data.pointExpireDate,
      });
      return account ? c.json(pointsToWire(account)) : unknownCustomer();
    }),
  );

  pos.get(
    "/transactions",
    posOperation("listTransactions", "pos.transactions:read", (c) => {
      const parameters = parseListParameters(c.req.query(), [
        "transactionHeadId",
        "transactionDateTime",
        "updDateTime",
      ]);
      if (typeof parameters === "string") return badRequest(parameters);
      const fromText = c.req.query("transaction_date_time-from");
      const toText = c.req.query("transaction_date_time-to");
      for (const [name, text] of [
        ["transaction_date_time-from", fromText],
        ["transaction_date_time-to", toText],
      ] as const) {
        if (text !== undefined && !dateTime.test(text)) {
          return badRequest(`${name} は YYYY-MM-DDThh:mm:ssTZD 形式で指定してください。`);
        }
      }
      // The list needs a date range of at most 31 days (Smaregi's gettransactions reference). A
      // missing required parameter is answered as any validation error is, 400 with a problem
      // body (research §4, smaregi-api.yaml); the wording of the detail is ours. Whether another
      // documented date range may stand in for it is not modelled: both ends are required.
      if (fromText === undefined || toText === undefined) {
        return badRequest(
          "transaction_date_time-from と transaction_date_time-to を指定してください。(期間は31日以内)",
        );
      }
      const from = new Date(fromText);
      const to = new Date(toText);
      if (to < from) return badRequest("取引日時の終了は開始以降を指定してください。");
      if (to.getTime() - from.getTime() > MAX_TRANSACTION_RANGE_MS) {
        return badRequest("取引日時の期間は31日以内で指定してください。");
      }
      const rows = store
        .listTransactions({
          // Smaregi documents no customer_id filter here (gettransactions reference; the
          // smaregi-api.yaml spec): like the real server, an unknown parameter is ignored and
          // every member's transactions come back. Of the documented filters, transaction_uuid
          // and barcode are not modelled (and so ignored too): the client sends neither.
          customerCode: c.req.query("customer_code"),
          storeId: c.req.query("store_id"),
          division: c.req.query("transaction_head_division"),
          from,
          to,
        })
        .map(transactionToWire);
      return c.json(listResponse(rows, parameters));
    }),
  );

  app.route("/:contractId/pos", pos);
  app.notFound(() => notFound());

  return { app, control, store, tokens, contractId, clientId, clientSecret };
}
