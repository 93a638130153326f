import type * as z from "zod/mini";
import { type LoyaltyError, NotRegistered, PosUnavailable } from "../../errors";
import { InMemoryMemberDirectory } from "../../pos/member-directory";
import type {
  Member,
  MemberDirectory,
  PointBalance,
  PointsReader,
  PointTransaction,
  PointTransactionQuery,
} from "../../pos/ports";
import { type HttpAnswer, type HttpTransport, sendHttp } from "../http-transport";
import {
  fetchForRead,
  parseJsonBody,
  type ReadRetryPolicy,
  readBodyForRead,
  readProblemDetail,
  retryAfterMs,
  TransientPosFailure,
  withReadRetries,
  withTimeout,
} from "./http";
import {
  customerListSchema,
  customerSchema,
  pointsListSchema,
  type SmaregiTransaction,
  transactionListSchema,
} from "./schemas";
import { MAX_HISTORY_DAYS, MAX_TRANSACTION_WINDOWS, TRANSACTION_WINDOW_MS, toSmaregiDateTime } from "./time";
import { type SmaregiCredentials, SmaregiTokenSource } from "./token";

export interface SmaregiClientOptions {
  /** e.g. https://id.smaregi.jp (sandbox https://id.smaregi.dev) */
  authUrl: string;
  /** e.g. https://api.smaregi.jp (sandbox https://api.smaregi.dev) */
  apiUrl: string;
  contractId: string;
  credentials: () => Promise<SmaregiCredentials>;
  /** Which customer field holds the shop's member number: ask the merchant. */
  memberField: "customerCode" | "customerNo";
  /** Per-attempt timeout of reads (token, lookups, points, transactions). */
  lookupTimeoutMs?: number;
  /** Timeout of a point change; after it the outcome is unknown. */
  writeTimeoutMs?: number;
  /** All attempts of one read together; 2.5 x lookupTimeoutMs when omitted. */
  readBudgetMs?: number;
  /** First retry pause of a read, before jitter; doubles per retry. */
  retryBaseDelayMs?: number;
  /** A throttled read is retried only if Retry-After is at most this. */
  maxRetryAfterMs?: number;
  scopes?: readonly string[];
  /** Shared member cache; a per-process in-memory one when omitted. */
  memberDirectory?: MemberDirectory;
  /**
   * The access token's source, when clients of one container share it (`smaregiTokenSource`), so
   * that the container holds one token, as one client would; a client's own when omitted.
   */
  tokens?: SmaregiTokenSource;
  /**
   * How requests are sent: Node's http/https over kept-alive connections when omitted
   * (`../http-transport.ts`); `fetch` fits too (tests wrap it to rewrite requests and answers).
   */
  fetch?: HttpTransport;
  now?: () => Date;
  random?: () => number;
}

export const defaultSmaregiScopes = ["pos.customers:read", "pos.customers:write", "pos.transactions:read"];

/** Customer codes remembered per process, oldest dropped first, so a warm Lambda stays bounded. */
const MAX_REMEMBERED_CODES = 10_000;
const MAX_RETRIES = 2;
const SLIVER_MS = 60_000;

function readPolicyOf(options: SmaregiClientOptions): ReadRetryPolicy {
  const lookupTimeoutMs = options.lookupTimeoutMs ?? 3000;
  return {
    attemptTimeoutMs: lookupTimeoutMs,
    budgetMs: options.readBudgetMs ?? lookupTimeoutMs * 2.5,
    maxRetries: MAX_RETRIES,
    baseDelayMs: options.retryBaseDelayMs ?? 100,
    maxRetryAfterMs: options.maxRetryAfterMs ?? 2000,
    random: options.random ?? Math.random,
  };
}

/** The access token's source for these options: a client's own, or one its container's clients share. */
export function smaregiTokenSource(options: Omit<SmaregiClientOptions, "tokens">): SmaregiTokenSource {
  return new SmaregiTokenSource({
    authUrl: options.authUrl,
    contractId: options.contractId,
    credentials: options.credentials,
    scopes: options.scopes ?? defaultSmaregiScopes,
    fetch: options.fetch ?? sendHttp,
    now: options.now ?? (() => new Date()),
    retry: readPolicyOf(options),
  });
}

/**
 * The Smaregi Platform API's reads as the loyalty service's `PointsReader`: members, balances and
 * the point history. Create once per process. `SmaregiPointsLedger` (ledger.ts) adds the point
 * change, which only the functions that move points carry.
 */
export class SmaregiPointsReader implements PointsReader {
  protected readonly tokens: SmaregiTokenSource;
  private readonly members: MemberDirectory;
  /** Smaregi customer id -> customer code, as the POS last returned it. */
  private readonly customerCodes = new Map<string, string>();
  private readonly readPolicy: ReadRetryPolicy;
  protected readonly apiBase: string;
  protected readonly fetch: HttpTransport;
  protected readonly now: () => Date;

  constructor(protected readonly options: SmaregiClientOptions) {
    this.readPolicy = readPolicyOf(options);
    this.fetch = options.fetch ?? sendHttp;
    this.now = options.now ?? (() => new Date());
    this.apiBase = `${options.apiUrl.replace(/\/+$/, "")}/${encodeURIComponent(options.contractId)}/pos`;
    this.members = options.memberDirectory ?? new InMemoryMemberDirectory();
    this.tokens = options.tokens ?? smaregiTokenSource(options);
  }

  async findMember(memberNumber: string): Promise<Member> {
    const cached = await this.members.get(memberNumber).catch(() => undefined);
    if (cached) {
      if (cached.customerCode) this.rememberCustomerCode(cached.customerId, cached.customerCode);
      return cached;
    }

    const field = this.options.memberField;
    const rows = await this.read(
      "the member lookup",
      "/customers",
      // Exact matching of these filters is unverified, so ask for a few rows and compare below.
      { [field === "customerCode" ? "customer_code" : "customer_no"]: memberNumber, limit: "10" },
      customerListSchema,
    );
    const matches = rows.filter((row) => row[field] === memberNumber);
    const [customer, ...others] = matches;
    if (!customer) throw new NotRegistered(`No store member has the member number ${memberNumber}`);
    if (others.length > 0) {
      throw new PosUnavailable(`Several store members share the member number ${memberNumber}`);
    }
    if (customer.customerCode) this.rememberCustomerCode(customer.customerId, customer.customerCode);
    const member: Member = {
      customerId: customer.customerId,
      memberNumber,
      ...(customer.customerCode ? { customerCode: customer.customerCode } : {}),
      rank: customer.rank ?? null,
      firstName: customer.firstName ?? "",
      lastName: customer.lastName ?? "",
      status: customer.status,
    };
    // A cache that cannot be written only costs a lookup next time.
    await this.members.set(member).catch(() => undefined);
    return member;
  }

  async getBalance(customerId: string): Promise<PointBalance> {
    const rows = await this.read(
      "the point balance",
      "/customers/point",
      { customer_id: customerId },
      pointsListSchema,
    );
    const row = rows.find((candidate) => candidate.customerId === customerId);
    if (!row) throw new NotRegistered(`The store has no customer ${customerId}`);
    return { points: row.point, expiresOn: row.pointExpireDate, updatedAt: row.updDateTime ?? null };
  }

  async listPointTransactions(
    customerId: string,
    query: PointTransactionQuery = {},
  ): Promise<PointTransaction[]> {
    // Smaregi times have whole seconds: widen to whole seconds so the edges are included.
    const until = new Date(Math.ceil((query.until ?? this.now()).getTime() / 1000) * 1000);
    const since = new Date(
      Math.floor((query.since ?? new Date(until.getTime() - TRANSACTION_WINDOW_MS)).getTime() / 1000) * 1000,
    );
    const limit = query.limit ?? 50;
    const divisions = query.divisions;
    const customerCode = await this.customerCodeOf(customerId);
    // One division can be filtered by the POS; several are filtered here.
    const [onlyDivision] = divisions?.length === 1 ? divisions : [];
    const pageSize = Math.min(1000, Math.max(limit, 100));
    const found = new Map<string, PointTransaction>();

    if (since > until) return [];
    let windowEnd = until;
    let reachedSince = false;
    for (let window = 0; window < MAX_TRANSACTION_WINDOWS && found.size < limit; window++) {
      const windowStart = new Date(Math.max(since.getTime(), windowEnd.getTime() - TRANSACTION_WINDOW_MS));
      for (let page = 1; ; page++) {
        const rows = await this.read(
          "the point history",
          "/transactions",
          {
            // Smaregi filters the list by customer_code; it has no customer_id filter.
            customer_code: customerCode,
            ...(onlyDivision ? { transaction_head_division: onlyDivision } : {}),
            "transaction_date_time-from": toSmaregiDateTime(windowStart),
            "transaction_date_time-to": toSmaregiDateTime(windowEnd),
            sort: "transactionDateTime:desc",
            limit: String(pageSize),
            page: String(page),
          },
          transactionListSchema,
        );
        for (const row of rows) {
          // Should the filter ever be ignored, another member's transactions must not count as ours.
          if (row.customerId !== customerId) continue;
          const transaction = toPointTransaction(row);
          if (!transaction || (divisions && !divisions.includes(transaction.division))) continue;
          found.set(transaction.transactionHeadId, transaction);
        }
        if (rows.length < pageSize || found.size >= limit) break;
      }
      // Whole-second rounding leaves a sliver before `since` uncovered by the window; it is not
      // worth a second POS round trip (callers' `since` is approximate to well within a minute).
      if (windowStart.getTime() - since.getTime() < SLIVER_MS) {
        reachedSince = true;
        break;
      }
      // Timestamps have whole seconds, so the next window ends one second earlier without gaps.
      windowEnd = new Date(windowStart.getTime() - 1000);
    }
    if (!reachedSince && found.size < limit) {
      // A shorter answer would read as "nothing happened before": reconciliation would conclude a
      // change was not applied. Failing lets it park the case for a person instead.
      throw new RangeError(
        `A point history since ${since.toISOString()} needs more than ${MAX_TRANSACTION_WINDOWS} transaction-list windows; at most ${MAX_HISTORY_DAYS} days can be read at once`,
      );
    }

    return [...found.values()]
      .sort((a, b) => b.at.localeCompare(a.at) || Number(b.transactionHeadId) - Number(a.transactionHeadId))
      .slice(0, limit);
  }

  /**
   * The member's customer code, which the transaction list filters by: kept from the member lookup,
   * otherwise read from the customer.
   */
  private async customerCodeOf(customerId: string): Promise<string> {
    const known = this.customerCodes.get(customerId);
    if (known) return known;
    const customer = await this.read(
      "the member",
      `/customers/${encodeURIComponent(customerId)}`,
      {},
      customerSchema,
    );
    if (customer.customerId !== customerId || !customer.customerCode) {
      throw new PosUnavailable(
        `The store's customer ${customerId} has no customer code, so its point history cannot be read`,
      );
    }
    this.rememberCustomerCode(customerId, customer.customerCode);
    return customer.customerCode;
  }

  private rememberCustomerCode(customerId: string, customerCode: string): void {
    this.customerCodes.delete(customerId);
    this.customerCodes.set(customerId, customerCode);
    for (const oldest of this.customerCodes.keys()) {
      if (this.customerCodes.size <= MAX_REMEMBERED_CODES) break;
      this.customerCodes.delete(oldest);
    }
  }

  /** A GET with timeouts, retries on transient failures and one token refresh on 401. */
  private async read<T extends z.ZodMiniType>(
    what: string,
    path: string,
    query: Record<string, string>,
    schema: T,
  ): Promise<z.output<T>> {
    const search = new URLSearchParams(query).toString();
    const url = `${this.apiBase}${path}${search ? `?${search}` : ""}`;
    return withReadRetries(this.readPolicy, async (timeoutMs) => {
      let accessToken = await this.tokens.accessToken();
      return withTimeout(timeoutMs, async (signal) => {
        const get = (token: string) =>
          fetchForRead(this.fetch, url, { headers: { authorization: `Bearer ${token}` }, signal }, what);
        let response = await get(accessToken);
        if (response.status === 401) {
          await response.body?.cancel();
          this.tokens.forget(accessToken);
          accessToken = await this.tokens.accessToken();
          response = await get(accessToken);
        }
        if (response.status === 429) {
          await response.body?.cancel();
          throw new TransientPosFailure("throttled", `Smaregi throttled ${what}`, {
            retryAfterMs: retryAfterMs(response.headers.get("retry-after")),
          });
        }
        if (response.status >= 500) {
          await response.body?.cancel();
          throw new TransientPosFailure("server-error", `Smaregi answered ${response.status} to ${what}`);
        }
        if (!response.ok) throw await this.readRefused(response, what);
        const parsed = parseJsonBody(await readBodyForRead(response, what), schema);
        if (!parsed.success) {
          throw new PosUnavailable(`Smaregi's answer to ${what} could not be read`, { cause: parsed.error });
        }
        return parsed.data;
      });
    });
  }

  /** 4xx on a read: our request or our access is wrong, which retrying does not fix. */
  private async readRefused(response: HttpAnswer, what: string): Promise<LoyaltyError> {
    const detail = await readProblemDetail(response);
    return new PosUnavailable(`Smaregi refused ${what} (${response.status})${detail ? `: ${detail}` : ""}`);
  }
}

function toPointTransaction(row: SmaregiTransaction): PointTransaction | undefined {
  // A cancelled transaction no longer moves points.
  if (row.cancelDivision === "1") return undefined;
  return {
    transactionHeadId: row.transactionHeadId,
    division: row.transactionHeadDivision,
    at: row.transactionDateTime,
    points: (row.newPoint ?? 0) - (row.spendPoint ?? 0),
    ...(row.storeId ? { storeId: row.storeId } : {}),
  };
}
