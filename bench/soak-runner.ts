import { randomUUID } from "node:crypto";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocument, GetCommand, QueryCommand } from "@aws-sdk/lib-dynamodb";
import { localDynamoDbClientConfig } from "../infra/local/dynamodb";
import type { FaultKind, FaultRule } from "../infra/local/emulation/control";
import { OAUTH_OPERATION } from "../infra/local/shopify/oauth";
import { adminSchema } from "../infra/local/shopify/schema";
import type { SmaregiOperation } from "../infra/local/smaregi/app";
import type { TransactionRecord } from "../infra/local/smaregi/store";
import type { LocalStack } from "../infra/local/stack";
import { DynamoAuditHistory, DynamoConversionStore } from "../shared/adapters/dynamodb";
import { executionArn } from "../shared/step-functions";
import type {
  AuditEvent,
  AuditTrail,
  ConversionRecord,
  ConversionStatus,
  ConversionStore,
} from "../shared/store";
import type { TableNames } from "../shared/tables";
import { type BenchCustomer, createBenchCustomer } from "./customers";

/**
 * The money-safety soak: many customers convert points at once while both emulators fail about
 * one call in five (refusals, 5xx, throttling, timeouts and changes applied without an answer).
 * Clients behave like a careful front end (one Idempotency-Key per intended conversion, replays
 * on 202 / 5xx / network errors, waits on 409). Afterwards every customer's POS balance, POS
 * transactions, Shopify discounts, leases and daily totals must agree with the conversions the
 * service recorded. Used by tests/conversion/soak.e2e.test.ts and `tsx bench/soak.ts`.
 */

/** The parts of the local stack the soak drives and inspects. */
export type SoakStack = Pick<LocalStack, "urls" | "smaregi" | "shopify" | "stepFunctions" | "environment">;

export interface SoakHandles {
  stack: SoakStack;
  tableNames: TableNames;
  /** The test harness's stores; built from the stack's DynamoDB endpoint when absent. */
  conversions?: Pick<ConversionStore, "listConversionsByCustomer" | "findByIdempotencyKey">;
  audit?: Pick<AuditTrail, "listAuditEvents">;
}

export interface SoakOptions {
  customers: number;
  conversions: number;
  /** Total probability that one emulated call fails, split over the fault kinds. */
  faultRate: number;
  /** Seeds the workload (points, pauses); the emulators draw their faults with Math.random. */
  seed?: number;
  /** How many times one intended conversion is replayed before the client gives up. */
  maxReplays?: number;
  /** Cap on a 409's Retry-After, in ms. */
  retryAfterCapMs?: number;
  /** Longest wait for the saga executions to end once the clients are done. */
  drainTimeoutMs?: number;
  log?: (line: string) => void;
}

export type ClientOutcome =
  | "completed"
  | "refused"
  | "needs_review"
  /** The client stopped replaying without a final answer. */
  | "abandoned";

export interface IntentResult {
  customerId: string;
  idempotencyKey: string;
  points: number;
  outcome: ClientOutcome;
  /** Final HTTP status and problem code (or body status) the client settled on. */
  finalStatus: number;
  finalCode?: string;
  conversionId?: string;
  couponCode?: string;
  replays: number;
  conflicts: number;
  networkErrors: number;
}

export interface NeedsReviewEntry {
  conversionId: string;
  customerId: string;
  points: number;
  reviewReason: string | undefined;
  /** Whether the POS shows a subtraction for it (then its points count as taken). */
  deducted: boolean;
  trail: string[];
  states: string[];
}

export interface FaultFigures {
  calls: Record<string, number>;
  /** operation -> fault kind -> times fired. */
  fired: Record<string, Partial<Record<FaultKind, number>>>;
  firedTotal: number;
  /** Operations called during the soak that no rule covered (should be none). */
  uncovered: string[];
}

/** The options with their defaults filled in. */
type SoakSettings = Required<Omit<SoakOptions, "log">>;

export interface SoakReport {
  options: SoakSettings;
  wallTimeMs: number;
  driveTimeMs: number;
  drainTimeMs: number;
  customers: number;
  intents: number;
  statusCounts: Record<ConversionStatus, number>;
  /** Why failed / compensated conversions failed, by failure code. */
  failureCodes: Record<string, number>;
  clientOutcomes: Record<ClientOutcome, number>;
  replays: number;
  conflicts: number;
  networkErrors: number;
  executions: Record<string, number>;
  faults: { smaregi: FaultFigures; shopify: FaultFigures };
  pointsDeducted: number;
  /**
   * Deductions that landed after their conversion was compensated: given back (the conversion owns
   * the subtraction), or alerted as possibly another record's.
   */
  lateDeductions: { returned: number; alerted: number };
  needsReview: NeedsReviewEntry[];
  /** Every broken invariant, one sentence each; empty when the money is safe. */
  violations: string[];
  /** Audit trail and state path of each conversion named in a violation. */
  evidence: Record<string, { trail: string[]; states: string[] }>;
}

const STARTING_POINTS = 3000;
const POINT_CHOICES = [100, 200, 300, 400, 500] as const;
const EXECUTION_PREFIX = "arn:aws:states:";

/** Each kind's share of the total fault rate. */
const FAULT_MIX: ReadonlyArray<{ kind: FaultKind; share: number }> = [
  { kind: "http503", share: 0.25 },
  { kind: "timeout", share: 0.25 },
  { kind: "http500", share: 0.2 },
  { kind: "commit-then-timeout", share: 0.2 },
  { kind: "throttle", share: 0.1 },
];

/** Every Smaregi operation the emulator names; `satisfies` keeps the list complete. */
const smaregiOperationSet = {
  token: true,
  listCustomers: true,
  getCustomer: true,
  createCustomer: true,
  getPoints: true,
  addPoints: true,
  setPoints: true,
  listTransactions: true,
} satisfies Record<SmaregiOperation, true>;

/** Shopify's operation names are the token grant's and the schema's root fields. */
export function shopifyOperations(): string[] {
  return [
    OAUTH_OPERATION,
    ...Object.keys(adminSchema.getQueryType()?.getFields() ?? {}),
    ...Object.keys(adminSchema.getMutationType()?.getFields() ?? {}),
  ];
}

/** A count so large it never runs out, so that the snapshot's `remaining` tells how often a rule fired. */
const RULE_COUNT = 1_000_000_000;

/**
 * Besides the mix, a point change the POS queues and applies after the caller gave up, later than
 * the saga's settle time (twice the soak's 800 ms write timeout): one addPoints call in fifty. The
 * conversion is compensated and its points given back (ReturnLateDeduction). Only on the POS: a
 * Shopify creation applied that late is not looked for again (see docs/design.md).
 */
export const LATE_POINT_CHANGE: FaultRule = {
  operation: "addPoints",
  kind: "late-commit",
  rate: 0.02,
  delayMs: 2_500,
  count: RULE_COUNT,
};

/**
 * One rule per operation and kind. Rules are drawn one after another, so each rate is chosen
 * to make the total chance of a fault per call equal `faultRate`.
 */
export function faultRules(operations: readonly string[], faultRate: number): FaultRule[] {
  let survive = 1;
  const rules: Array<{ kind: FaultKind; rate: number }> = [];
  for (const { kind, share } of FAULT_MIX) {
    const absolute = faultRate * share;
    rules.push({ kind, rate: Math.min(1, absolute / survive) });
    survive -= absolute;
  }
  return operations.flatMap((operation) =>
    rules.map(({ kind, rate }) => ({ operation, kind, rate, count: RULE_COUNT })),
  );
}

function faultFigures(
  snapshot: {
    calls: Record<string, number>;
    faults: ReadonlyArray<{ operation: string; kind: FaultKind; remaining: number | null }>;
  },
  covered: readonly string[],
  callsBefore: Record<string, number>,
): FaultFigures {
  const fired: FaultFigures["fired"] = {};
  let firedTotal = 0;
  for (const rule of snapshot.faults) {
    const times = RULE_COUNT - (rule.remaining ?? RULE_COUNT);
    if (times === 0) continue;
    const byKind = fired[rule.operation] ?? {};
    byKind[rule.kind] = (byKind[rule.kind] ?? 0) + times;
    fired[rule.operation] = byKind;
    firedTotal += times;
  }
  const calls: Record<string, number> = {};
  for (const [operation, count] of Object.entries(snapshot.calls)) {
    const during = count - (callsBefore[operation] ?? 0);
    if (during > 0) calls[operation] = during;
  }
  const uncovered = Object.keys(calls).filter((operation) => !covered.includes(operation));
  return { calls, fired, firedTotal, uncovered };
}

/** mulberry32: small, fast, good enough to vary a workload reproducibly. */
function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

const terminalStatuses: readonly ConversionStatus[] = ["completed", "failed", "compensated", "needs_review"];

type SoakCustomer = BenchCustomer;

async function setUpCustomers(stack: SoakStack, count: number): Promise<SoakCustomer[]> {
  const run = randomUUID().slice(0, 8);
  const customers: SoakCustomer[] = [];
  for (let index = 0; index < count; index++) {
    customers.push(
      await createBenchCustomer(stack, {
        email: `soak-${run}-${index}@example.com`,
        firstName: `Soak${index}`,
        points: STARTING_POINTS,
      }),
    );
  }
  return customers;
}

interface Answer {
  status: number;
  body: Record<string, unknown>;
  retryAfter: string | null;
}

async function call(url: string, init: RequestInit): Promise<Answer> {
  const response = await fetch(url, { ...init, signal: AbortSignal.timeout(60_000) });
  const text = await response.text();
  let body: Record<string, unknown> = {};
  try {
    const parsed: unknown = JSON.parse(text);
    if (typeof parsed === "object" && parsed !== null) body = parsed as Record<string, unknown>;
  } catch {
    body = { text };
  }
  return { status: response.status, body, retryAfter: response.headers.get("retry-after") };
}

const text = (value: unknown) => (typeof value === "string" ? value : undefined);

/**
 * One intended conversion, as a careful front end does it: one key, replayed until the answer is
 * final. A refusal (4xx/5xx problem) carries no conversion id, so a 5xx is only taken as final
 * once a replay of the same key gives the same problem again (a finished conversion answers the
 * same way every time), or the status URL says the conversion is over.
 */
async function convertOnce(
  apiUrl: string,
  customer: SoakCustomer,
  points: number,
  options: { maxReplays: number; retryAfterCapMs: number; pause: () => number },
): Promise<IntentResult> {
  const idempotencyKey = randomUUID();
  const result: IntentResult = {
    customerId: customer.customerId,
    idempotencyKey,
    points,
    outcome: "abandoned",
    finalStatus: 0,
    replays: 0,
    conflicts: 0,
    networkErrors: 0,
  };
  const headers = { authorization: `Bearer ${await customer.token()}` };
  let previousProblem: string | undefined;
  const replay = async () => {
    result.replays += 1;
    await sleep(options.pause());
  };
  // Conflicts (409) wait without using up replays, but are bounded too.
  for (
    let attempts = 0;
    result.replays <= options.maxReplays && attempts < options.maxReplays * 10;
    attempts++
  ) {
    let answer: Answer;
    try {
      answer = await call(`${apiUrl}/v1/me/conversions`, {
        method: "POST",
        headers: { ...headers, "content-type": "application/json", "idempotency-key": idempotencyKey },
        body: JSON.stringify({ points }),
      });
    } catch {
      result.networkErrors += 1;
      previousProblem = undefined;
      await replay();
      continue;
    }
    result.finalStatus = answer.status;
    const conversionId = text(answer.body.conversionId);
    if (conversionId) result.conversionId = conversionId;
    const code = text(answer.body.code);
    result.finalCode = code ?? text(answer.body.status);

    if (answer.status === 201) {
      result.outcome = "completed";
      const coupon = answer.body.coupon;
      if (typeof coupon === "object" && coupon !== null && "code" in coupon) {
        result.couponCode = text(coupon.code);
      }
      return result;
    }
    if (answer.status === 202) {
      if (answer.body.status === "needs_review") {
        result.outcome = "needs_review";
        return result;
      }
      previousProblem = undefined;
      await replay();
      continue;
    }
    if (answer.status === 409 && code === "conversion_in_progress") {
      result.conflicts += 1;
      const seconds = Number(answer.retryAfter ?? "1");
      await sleep(Math.min(options.retryAfterCapMs, (Number.isFinite(seconds) ? seconds : 1) * 1000));
      continue;
    }
    if (answer.status >= 400 && answer.status < 500) {
      result.outcome = "refused";
      return result;
    }
    // 5xx: final only when the conversion is known to be over.
    if (result.conversionId) {
      try {
        const state = await call(`${apiUrl}/v1/me/conversions/${result.conversionId}`, { headers });
        const status = text(state.body.status);
        if (state.status === 200 && (status === "failed" || status === "needs_review")) {
          result.outcome = status === "failed" ? "refused" : "needs_review";
          return result;
        }
      } catch {
        result.networkErrors += 1;
      }
    }
    const problem = `${answer.status}:${code ?? "-"}`;
    if (problem === previousProblem) {
      result.outcome = "refused";
      return result;
    }
    previousProblem = problem;
    await replay();
  }
  return result;
}

/** Waits until no saga execution is running (new ones cannot start: the clients are done). */
async function drainExecutions(stack: SoakStack, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const running = stack.stepFunctions.listAllExecutions().filter((e) => e.status === "RUNNING");
    if (running.length === 0) return;
    if (Date.now() > deadline) {
      throw new Error(`${running.length} executions still running after ${timeoutMs} ms`);
    }
    await Promise.race([
      Promise.all(running.map((execution) => stack.stepFunctions.waitForExecution(execution.executionArn))),
      sleep(Math.max(0, deadline - Date.now()) + 10),
    ]);
  }
}

async function allConversions(
  store: Pick<ConversionStore, "listConversionsByCustomer">,
  customerId: string,
): Promise<ConversionRecord[]> {
  const all: ConversionRecord[] = [];
  let cursor: string | undefined;
  do {
    const page = await store.listConversionsByCustomer(customerId, {
      limit: 25,
      ...(cursor ? { cursor } : {}),
    });
    all.push(...page.items);
    cursor = page.nextCursor;
  } while (cursor);
  return all;
}

interface EmulatedDiscount {
  id: string;
  code: string;
  title: string;
  status: string;
  customerIds: string[] | "ALL";
}

async function shopifyDiscounts(stack: SoakStack): Promise<EmulatedDiscount[]> {
  const response = await fetch(`${stack.urls.shopify}/_control/discounts`);
  return ((await response.json()) as { discounts: EmulatedDiscount[] }).discounts;
}

function executionArnOf(stack: SoakStack, conversionId: string): string | undefined {
  const machine = stack.environment.CONVERT_STATE_MACHINE_ARN;
  return machine ? executionArn(machine, conversionId) : undefined;
}

/** State names entered by a conversion's execution, in order, with each failed task attempt as `State!Error`. */
function statePath(stack: SoakStack, conversionId: string): string[] {
  const arn = executionArnOf(stack, conversionId);
  if (!arn?.startsWith(EXECUTION_PREFIX)) return [];
  try {
    const states: string[] = [];
    let nextToken: string | undefined;
    do {
      const page = stack.stepFunctions.getExecutionHistory({
        executionArn: arn,
        maxResults: 1000,
        nextToken,
      });
      let current = "";
      for (const event of page.events) {
        const value = event.details?.value;
        if (event.details?.key === "stateEnteredEventDetails" && typeof value?.name === "string") {
          current = value.name;
          states.push(current);
        }
        // Each failed attempt of a task (a retry follows, or a Catch), named after the error.
        if (event.type === "LambdaFunctionFailed" || event.type === "LambdaFunctionTimedOut") {
          states.push(`${current}!${typeof value?.error === "string" ? value.error : event.type}`);
        }
      }
      nextToken = page.nextToken;
    } while (nextToken);
    return states;
  } catch (error) {
    return [`(no execution: ${error instanceof Error ? error.message : String(error)})`];
  }
}

/** Fills in each option's default. */
function soakSettings(options: SoakOptions): SoakSettings {
  return {
    customers: options.customers,
    conversions: options.conversions,
    faultRate: options.faultRate,
    seed: options.seed ?? Date.now() % 1_000_000,
    maxReplays: options.maxReplays ?? 40,
    retryAfterCapMs: options.retryAfterCapMs ?? 1000,
    drainTimeoutMs: options.drainTimeoutMs ?? 120_000,
  };
}

/** Where the soak reads what the service recorded. */
interface SoakStores {
  documents: DynamoDBDocument;
  loyaltyTable: string;
  conversions: NonNullable<SoakHandles["conversions"]>;
  audit: NonNullable<SoakHandles["audit"]>;
}

/** One customer's share of the run: the points of each conversion, and the pause before a replay. */
interface CustomerWorkload {
  customer: SoakCustomer;
  points: number[];
  pause: () => number;
}

/**
 * Spreads the conversions over the customers as evenly as possible. Every amount is drawn before
 * any customer's pause seed, so one seed always gives the same workload.
 */
function planWorkload(customers: readonly SoakCustomer[], settings: SoakSettings): CustomerWorkload[] {
  const random = seededRandom(settings.seed);
  const plan = customers.map((customer, index) => {
    const share =
      Math.floor(settings.conversions / customers.length) +
      (index < settings.conversions % customers.length ? 1 : 0);
    return {
      customer,
      points: Array.from(
        { length: share },
        () => POINT_CHOICES[Math.floor(random() * POINT_CHOICES.length)] ?? 100,
      ),
    };
  });
  return plan.map(({ customer, points }) => {
    const pauseRandom = seededRandom(Math.floor(random() * 2 ** 32));
    return { customer, points, pause: () => 100 + Math.floor(pauseRandom() * 200) };
  });
}

/** The clients: customers in parallel, each one's conversions one after another. */
async function driveConversions(
  apiUrl: string,
  workload: readonly CustomerWorkload[],
  settings: SoakSettings,
): Promise<IntentResult[]> {
  const perCustomer = await Promise.all(
    workload.map(async ({ customer, points, pause }) => {
      const results: IntentResult[] = [];
      for (const amount of points) {
        results.push(
          await convertOnce(apiUrl, customer, amount, {
            maxReplays: settings.maxReplays,
            retryAfterCapMs: settings.retryAfterCapMs,
            pause,
          }),
        );
      }
      return results;
    }),
  );
  return perCustomer.flat();
}

interface DrivenRun {
  intents: IntentResult[];
  driveTimeMs: number;
  faults: SoakReport["faults"];
}

/**
 * Drives the workload with faults on every operation of both emulators, then turns them off. The
 * fault figures are taken before the drain, so they count the calls made while faults were on.
 */
async function driveUnderFaults(
  stack: SoakStack,
  customers: readonly SoakCustomer[],
  settings: SoakSettings,
  log: (line: string) => void,
): Promise<DrivenRun> {
  const smaregiOperations = Object.keys(smaregiOperationSet);
  const shopifyOperationNames = shopifyOperations();
  const smaregiCallsBefore = stack.smaregi.control.snapshot().calls;
  const shopifyCallsBefore = stack.shopify.control.snapshot().calls;
  stack.smaregi.control.setFaults([
    ...(settings.faultRate > 0 ? [LATE_POINT_CHANGE] : []),
    ...faultRules(smaregiOperations, settings.faultRate),
  ]);
  stack.shopify.control.setFaults(faultRules(shopifyOperationNames, settings.faultRate));

  const workload = planWorkload(customers, settings);
  const driveStart = performance.now();
  const intents = await driveConversions(stack.urls.api, workload, settings);
  const driveTimeMs = Math.round(performance.now() - driveStart);
  log(`soak: ${intents.length} conversions driven in ${driveTimeMs} ms`);

  const smaregiFaults = stack.smaregi.control.snapshot();
  const shopifyFaults = stack.shopify.control.snapshot();
  stack.smaregi.control.setFaults([]);
  stack.shopify.control.setFaults([]);
  return {
    intents,
    driveTimeMs,
    faults: {
      smaregi: faultFigures(smaregiFaults, smaregiOperations, smaregiCallsBefore),
      shopify: faultFigures(shopifyFaults, shopifyOperationNames, shopifyCallsBefore),
    },
  };
}

/** A conversion parked for review, with what explains it. */
interface ParkedConversion {
  record: ConversionRecord;
  events: AuditEvent[];
  states: string[];
}

/** One customer's books in every system, read once every execution was over. */
interface CustomerBooks {
  customer: SoakCustomer;
  records: ConversionRecord[];
  posTransactions: TransactionRecord[];
  /** Undefined when the POS has no point account for the customer. */
  balance: number | undefined;
  /** The lease item still stored for the customer, if any. */
  lease: Record<string, unknown> | undefined;
  /** Shop date -> points, as stored (NaN when the item holds no number). */
  dailyTotals: Map<string, number>;
  /** Oldest deduction first, the order leftover POS subtractions are matched in. */
  parked: ParkedConversion[];
  /**
   * Compensated conversions whose recheck found a late subtraction it could not attribute and
   * alerted the admins (ReturnLateDeduction): like parked ones, each may stand for one subtraction.
   */
  lateAlerted: ParkedConversion[];
  /**
   * Compensated conversions that claimed a late subtraction but whose return lost its answer and is
   * not listed: the service does not send it again and alerts the admins, so its points are in
   * front of them, like a parked conversion's.
   */
  returnsUnsettled: Set<string>;
}

/** How a soak conversion's saga execution ended. */
interface ExecutionEnding {
  record: ConversionRecord;
  /** `FAILED:<error>`, `SUCCEEDED:<last state>`, or the status of an execution that has not ended. */
  ending: string;
  cause: string | undefined;
}

/** The final state of the run. */
interface SoakBooks {
  customers: CustomerBooks[];
  /** Every discount the Shopify emulator holds, for any customer. */
  discounts: EmulatedDiscount[];
  conversionsById: Map<string, ConversionRecord>;
  /** Each intent with the conversion recorded under its key, if any. */
  intents: Array<{ intent: IntentResult; record: ConversionRecord | undefined }>;
  executions: ExecutionEnding[];
  /** Names of every execution the Step Functions emulator knows. */
  executed: Set<string>;
}

async function readCustomerBooks(
  stack: SoakStack,
  stores: SoakStores,
  customer: SoakCustomer,
): Promise<CustomerBooks> {
  const records = await allConversions(stores.conversions, customer.customerId);
  const posTransactions = stack.smaregi.store.listTransactions({ customerId: customer.posCustomerId });
  const balance = stack.smaregi.store.getPoints(customer.posCustomerId)?.point;
  const lease = await stores.documents.send(
    new GetCommand({
      TableName: stores.loyaltyTable,
      Key: { pk: `LEASE#${customer.customerId}`, sk: "LEASE" },
      ConsistentRead: true,
    }),
  );
  const daily = await stores.documents.send(
    new QueryCommand({
      TableName: stores.loyaltyTable,
      KeyConditionExpression: "pk = :pk",
      ExpressionAttributeValues: { ":pk": `DAILY#${customer.customerId}` },
      ConsistentRead: true,
    }),
  );
  const dailyTotals = new Map<string, number>();
  for (const item of daily.Items ?? []) {
    dailyTotals.set(String(item.sk), typeof item.points === "number" ? item.points : Number.NaN);
  }
  const parked: ParkedConversion[] = [];
  const parkedRecords = records
    .filter((r) => r.status === "needs_review")
    .sort((a, b) => (a.deductionStartedAt ?? "").localeCompare(b.deductionStartedAt ?? ""));
  for (const record of parkedRecords) {
    const events = await stores.audit.listAuditEvents({ type: "conversion", id: record.conversionId });
    parked.push({ record, events, states: statePath(stack, record.conversionId) });
  }
  const lateAlerted: ParkedConversion[] = [];
  const rechecked = records
    .filter((r) => r.deductionRecheckedAt !== undefined && (r.transactionHeadIds?.length ?? 0) === 0)
    .sort((a, b) => (a.deductionStartedAt ?? "").localeCompare(b.deductionStartedAt ?? ""));
  for (const record of rechecked) {
    const events = await stores.audit.listAuditEvents({ type: "conversion", id: record.conversionId });
    if (events.some((e) => e.type === "deduction.rechecked" && e.outcome === "unknown")) {
      lateAlerted.push({ record, events, states: statePath(stack, record.conversionId) });
    }
  }
  const returnsUnsettled = new Set<string>();
  for (const record of records.filter(
    (r) => (r.status === "failed" || r.status === "compensated") && (r.transactionHeadIds?.length ?? 0) > 0,
  )) {
    const events = await stores.audit.listAuditEvents({ type: "conversion", id: record.conversionId });
    if (events.some((e) => e.type === "points.returned" && e.outcome === "unknown")) {
      returnsUnsettled.add(record.conversionId);
    }
  }
  return {
    customer,
    records,
    posTransactions,
    balance,
    lease: lease.Item,
    dailyTotals,
    parked,
    lateAlerted,
    returnsUnsettled,
  };
}

/** How the execution of each of the soak's conversions ended (other conversions' executions are skipped). */
function readExecutionEndings(
  stack: SoakStack,
  conversionsById: ReadonlyMap<string, ConversionRecord>,
): ExecutionEnding[] {
  const endings: ExecutionEnding[] = [];
  for (const execution of stack.stepFunctions.listAllExecutions()) {
    const record = conversionsById.get(execution.name);
    if (!record) continue;
    const description = stack.stepFunctions.describeExecution(execution.executionArn);
    // Succeeded runs are told apart by their last state: converted, or refused/compensated.
    const ending =
      description.status === "FAILED"
        ? `FAILED:${description.error}`
        : description.status === "SUCCEEDED"
          ? `SUCCEEDED:${statePath(stack, record.conversionId).at(-1)}`
          : description.status;
    endings.push({ record, ending, cause: description.cause });
  }
  return endings;
}

/** Reads the books of every system: the emulators, DynamoDB, the audit trail and the executions. */
async function readBooks(
  stack: SoakStack,
  stores: SoakStores,
  customers: readonly SoakCustomer[],
  intents: readonly IntentResult[],
): Promise<SoakBooks> {
  const discounts = await shopifyDiscounts(stack);
  const customerBooks: CustomerBooks[] = [];
  for (const customer of customers) customerBooks.push(await readCustomerBooks(stack, stores, customer));
  const conversionsById = new Map<string, ConversionRecord>();
  for (const { records } of customerBooks) {
    for (const record of records) conversionsById.set(record.conversionId, record);
  }
  const recorded: SoakBooks["intents"] = [];
  for (const intent of intents) {
    const record = await stores.conversions.findByIdempotencyKey(intent.customerId, intent.idempotencyKey);
    recorded.push({ intent, record });
  }
  return {
    customers: customerBooks,
    discounts,
    conversionsById,
    intents: recorded,
    executions: readExecutionEndings(stack, conversionsById),
    executed: new Set(stack.stepFunctions.listAllExecutions().map((e) => e.name)),
  };
}

/** Records a broken invariant, with the conversions it names (the report adds their evidence). */
type Violate = (message: string, ...conversionIds: string[]) => void;

/** Each completed conversion owns exactly one POS subtraction of its points, claimed by no other. */
function attributeSubtractions(
  who: string,
  records: readonly ConversionRecord[],
  subtractions: readonly TransactionRecord[],
  violate: Violate,
): Map<string, string> {
  const attributed = new Map<string, string>();
  for (const record of records.filter((r) => r.status === "completed")) {
    const ids = record.transactionHeadIds ?? [];
    const own = subtractions.filter((tx) => ids.includes(tx.transactionHeadId));
    if (own.length !== 1 || own[0]?.spendPoint !== record.points) {
      violate(
        `${who}: completed conversion ${record.conversionId} (${record.points} pt) should own exactly one POS subtraction of its points; transactionHeadIds ${JSON.stringify(ids)} match ${own.map((tx) => `${tx.transactionHeadId}(-${tx.spendPoint})`).join(", ") || "none"}`,
        record.conversionId,
      );
    }
    for (const tx of own) {
      const other = attributed.get(tx.transactionHeadId);
      if (other) {
        violate(
          `${who}: POS transaction ${tx.transactionHeadId} is claimed by both ${other} and ${record.conversionId}`,
          other,
          record.conversionId,
        );
      }
      attributed.set(tx.transactionHeadId, record.conversionId);
    }
  }
  return attributed;
}

/**
 * Subtractions no completed conversion owns may only belong to conversions in front of the admins
 * (parked for review, or compensated with an unattributed late subtraction alerted): each goes,
 * oldest first, to such a conversion of the same points whose deduction started no later.
 * Returns those conversions whose points were taken.
 */
function matchParkedSubtractions(
  who: string,
  books: CustomerBooks,
  unattributed: readonly TransactionRecord[],
  violate: Violate,
): Set<string> {
  const deductedReviews = new Set<string>();
  const inReview = [...books.parked, ...books.lateAlerted];
  for (const tx of unattributed) {
    const match = inReview.find(
      ({ record }) =>
        !deductedReviews.has(record.conversionId) &&
        record.points === tx.spendPoint &&
        record.deductionStartedAt !== undefined &&
        tx.transactionDateTime.getTime() >= Math.floor(Date.parse(record.deductionStartedAt) / 1000) * 1000,
    );
    if (match) {
      deductedReviews.add(match.record.conversionId);
      continue;
    }
    const near = books.records
      .filter(
        (r) => r.deductionStartedAt !== undefined && r.points === tx.spendPoint && r.status !== "completed",
      )
      .map((r) => r.conversionId);
    violate(
      `${who}: POS subtraction ${tx.transactionHeadId} of ${tx.spendPoint} pt at ${tx.transactionDateTime.toISOString()} belongs to no completed or parked conversion (points taken without a coupon); same-points conversions that attempted a deduction: ${near.join(", ") || "none"}`,
      ...near,
    );
  }
  return deductedReviews;
}

/**
 * A deduction that landed after its conversion was compensated is claimed by the conversion
 * (ReturnLateDeduction) and given back by one addition (division 6) of the same points, no earlier.
 * Adds the claimed subtractions to `attributed`; every other addition is a violation.
 */
function attributeLateReturns(
  who: string,
  books: CustomerBooks,
  subtractions: readonly TransactionRecord[],
  attributed: Map<string, string>,
  violate: Violate,
): Set<string> {
  /** Late-claimed conversions whose points were not given back: their return is before the admins. */
  const notGivenBack = new Set<string>();
  const additions = books.posTransactions
    .filter((tx) => tx.transactionHeadDivision === "6")
    .sort((a, b) => a.transactionDateTime.getTime() - b.transactionDateTime.getTime());
  const used = new Set<string>();
  const late = books.records.filter(
    (r) => (r.status === "failed" || r.status === "compensated") && (r.transactionHeadIds?.length ?? 0) > 0,
  );
  for (const record of late) {
    const own = subtractions.filter((tx) => record.transactionHeadIds?.includes(tx.transactionHeadId));
    const [taken] = own;
    if (own.length !== 1 || taken?.spendPoint !== record.points) {
      violate(
        `${who}: ${record.status} conversion ${record.conversionId} claims ${JSON.stringify(record.transactionHeadIds)}, not one POS subtraction of its ${record.points} pt`,
        record.conversionId,
      );
      continue;
    }
    const other = attributed.get(taken.transactionHeadId);
    if (other) {
      violate(
        `${who}: POS transaction ${taken.transactionHeadId} is claimed by both ${other} and ${record.status} ${record.conversionId}`,
        other,
        record.conversionId,
      );
    }
    attributed.set(taken.transactionHeadId, record.conversionId);
    const back = additions.find(
      (tx) =>
        !used.has(tx.transactionHeadId) &&
        tx.newPoint === record.points &&
        tx.transactionDateTime.getTime() >= taken.transactionDateTime.getTime(),
    );
    if (back) used.add(back.transactionHeadId);
    else if (books.returnsUnsettled.has(record.conversionId)) notGivenBack.add(record.conversionId);
    else {
      violate(
        `${who}: ${record.status} conversion ${record.conversionId}'s late POS subtraction ${taken.transactionHeadId} of ${record.points} pt was not given back`,
        record.conversionId,
      );
    }
  }
  for (const tx of additions.filter((t) => !used.has(t.transactionHeadId))) {
    violate(`${who}: POS addition ${tx.transactionHeadId} of ${tx.newPoint} pt gives back no late deduction`);
  }
  return notGivenBack;
}

/**
 * POS: one division-7 subtraction per completed conversion, none unexplained; a late one claimed by
 * its compensated conversion and given back. Returns the conversions whose taken points are before
 * the admins (parked, alerted as possibly another's, or a return not settled).
 */
function checkPosTransactions(who: string, books: CustomerBooks, violate: Violate): Set<string> {
  const subtractions = books.posTransactions.filter((tx) => tx.transactionHeadDivision === "7");
  for (const tx of books.posTransactions.filter(
    (t) => t.transactionHeadDivision !== "7" && t.transactionHeadDivision !== "6",
  )) {
    violate(
      `${who}: unexpected POS transaction ${tx.transactionHeadId} of division ${tx.transactionHeadDivision}`,
    );
  }
  const attributed = attributeSubtractions(who, books.records, subtractions, violate);
  const notGivenBack = attributeLateReturns(who, books, subtractions, attributed, violate);
  const unattributed = subtractions
    .filter((tx) => !attributed.has(tx.transactionHeadId))
    .sort((a, b) => a.transactionDateTime.getTime() - b.transactionDateTime.getTime());
  const deductedReviews = matchParkedSubtractions(who, books, unattributed, violate);
  for (const id of notGivenBack) deductedReviews.add(id);
  return deductedReviews;
}

/** POS balance: the starting one less the completed conversions and the parked ones that took points. */
function checkBalance(who: string, books: CustomerBooks, deductedReviews: Set<string>, violate: Violate) {
  const { customer, balance } = books;
  const completedPoints = books.records
    .filter((r) => r.status === "completed")
    .reduce((sum, r) => sum + r.points, 0);
  // Parked, alerted as possibly another's, or late-claimed with a return not settled: before the admins.
  const reviewPoints = books.records
    .filter((record) => deductedReviews.has(record.conversionId))
    .reduce((sum, record) => sum + record.points, 0);
  const expected = customer.startingBalance - completedPoints - reviewPoints;
  if (balance !== expected) {
    violate(
      `${who}: POS balance ${balance} != ${customer.startingBalance} - ${completedPoints} (completed) - ${reviewPoints} (needs_review, deducted) = ${expected}`,
    );
  }
}

/** Shopify: live codes are exactly the completed conversions' codes. */
function checkDiscounts(
  who: string,
  books: CustomerBooks,
  discounts: readonly EmulatedDiscount[],
  discountsByCode: ReadonlyMap<string, EmulatedDiscount[]>,
  violate: Violate,
) {
  const codesOf = new Map(books.records.map((r) => [r.code.toUpperCase(), r]));
  for (const discount of discounts) {
    const forCustomer =
      Array.isArray(discount.customerIds) && discount.customerIds.includes(books.customer.customerGid);
    if (!forCustomer || discount.status !== "ACTIVE") continue;
    const owner = codesOf.get(discount.code.toUpperCase());
    if (owner?.status !== "completed") {
      violate(
        `${who}: ACTIVE discount ${discount.code} belongs to ${owner ? `a ${owner.status} conversion ${owner.conversionId}` : "no conversion"}`,
        ...(owner ? [owner.conversionId] : []),
      );
    }
  }
  for (const record of books.records) {
    const found = discountsByCode.get(record.code.toUpperCase()) ?? [];
    if (record.status === "completed") {
      const active = found.filter((d) => d.status === "ACTIVE");
      if (found.length !== 1 || active.length !== 1) {
        violate(
          `${who}: completed conversion ${record.conversionId} has ${found.length} discount(s) with code ${record.code}, ${active.length} ACTIVE`,
          record.conversionId,
        );
      }
    } else if (record.status === "failed" || record.status === "compensated") {
      if (found.length > 0) {
        violate(
          `${who}: ${record.status} conversion ${record.conversionId} still has discount ${record.code} (${found.map((d) => d.status).join(", ")})`,
          record.conversionId,
        );
      }
    } else if (record.status === "needs_review" && found.some((d) => d.status === "ACTIVE")) {
      violate(
        `${who}: needs_review conversion ${record.conversionId} has an ACTIVE discount ${record.code}`,
        record.conversionId,
      );
    }
  }
}

/** DynamoDB: no lease left, daily totals equal the points of conversions that were not failed. */
function checkLeaseAndDailyTotals(who: string, books: CustomerBooks, violate: Violate) {
  if (books.lease) violate(`${who}: a lease remains, held by ${String(books.lease.holder)}`);
  const expectedDaily = new Map<string, number>();
  for (const record of books.records) {
    if (record.status === "failed" || record.status === "compensated") continue;
    expectedDaily.set(record.shopDate, (expectedDaily.get(record.shopDate) ?? 0) + record.points);
  }
  for (const day of new Set([...expectedDaily.keys(), ...books.dailyTotals.keys()])) {
    const stored = books.dailyTotals.get(day) ?? 0;
    const wanted = expectedDaily.get(day) ?? 0;
    if (stored !== wanted) {
      violate(`${who}: daily total for ${day} is ${stored}, expected ${wanted} (non-failed conversions)`);
    }
  }
}

/** Parked conversions: each explained by its reason and its audit trail. */
function checkParkedConversions(who: string, books: CustomerBooks, violate: Violate) {
  for (const { record, events } of books.parked) {
    if (!record.reviewReason) {
      violate(
        `${who}: needs_review conversion ${record.conversionId} has no reviewReason`,
        record.conversionId,
      );
    }
    if (!events.some((e) => e.type === "conversion.needs_review")) {
      violate(
        `${who}: needs_review conversion ${record.conversionId} has no conversion.needs_review audit event`,
        record.conversionId,
      );
    }
  }
}

/** Every invariant of one customer's books. Returns the parked conversions whose points were taken. */
function checkCustomerBooks(
  books: CustomerBooks,
  discounts: readonly EmulatedDiscount[],
  discountsByCode: ReadonlyMap<string, EmulatedDiscount[]>,
  violate: Violate,
): Set<string> {
  const who = `customer ${books.customer.customerId}`;
  // No conversion left half-way.
  for (const record of books.records.filter((r) => r.status === "reserved")) {
    violate(`${who}: conversion ${record.conversionId} is still reserved`, record.conversionId);
  }
  const deductedReviews = checkPosTransactions(who, books, violate);
  checkBalance(who, books, deductedReviews, violate);
  checkDiscounts(who, books, discounts, discountsByCode, violate);
  checkLeaseAndDailyTotals(who, books, violate);
  checkParkedConversions(who, books, violate);
  return deductedReviews;
}

/** Every intent maps to what the service recorded, and the client was told the truth. */
function checkClientAnswers(intents: SoakBooks["intents"], violate: Violate) {
  for (const { intent, record } of intents) {
    if (!record) {
      if (intent.outcome === "completed") {
        violate(`intent ${intent.idempotencyKey}: the client got 201 but no conversion exists`);
      }
      continue;
    }
    if (!terminalStatuses.includes(record.status)) continue;
    if (
      intent.outcome === "completed" &&
      (record.status !== "completed" || intent.couponCode !== record.code)
    ) {
      violate(
        `conversion ${record.conversionId}: the client got 201 with ${intent.couponCode} but it is ${record.status} with ${record.code}`,
        record.conversionId,
      );
    }
    if (intent.outcome === "refused" && record.status === "completed") {
      violate(
        `conversion ${record.conversionId}: the client was refused (${intent.finalStatus} ${intent.finalCode}) but it completed`,
        record.conversionId,
      );
    }
  }
}

/** Each conversion had an execution, and it ended the way the conversion's record says. */
function checkExecutionEndings(books: SoakBooks, violate: Violate) {
  for (const { record, ending, cause } of books.executions) {
    const expectedEnding =
      record.status === "completed"
        ? "SUCCEEDED:Converted"
        : record.status === "needs_review"
          ? "FAILED:ConversionNeedsReview"
          : "SUCCEEDED:ConversionNotMade";
    if (ending !== expectedEnding) {
      violate(
        `conversion ${record.conversionId} is ${record.status} but its execution ended ${ending}${cause ? ` (${cause.slice(0, 300)})` : ""}`,
        record.conversionId,
      );
    }
  }
  for (const record of books.conversionsById.values()) {
    if (!books.executed.has(record.conversionId)) {
      violate(
        `conversion ${record.conversionId} (${record.status}) never had an execution`,
        record.conversionId,
      );
    }
  }
}

interface InvariantCheck {
  /** One sentence per broken invariant. */
  violations: string[];
  /** Conversions named in a violation. */
  suspects: Set<string>;
  /** Parked conversions whose points the POS shows taken. */
  deductedReviews: Set<string>;
}

/** The money invariants over the whole run: each customer's books, the clients' answers, the executions. */
function checkInvariants(books: SoakBooks): InvariantCheck {
  const violations: string[] = [];
  const suspects = new Set<string>();
  const violate: Violate = (message, ...conversionIds) => {
    violations.push(message);
    for (const id of conversionIds) suspects.add(id);
  };
  const discountsByCode = new Map<string, EmulatedDiscount[]>();
  for (const discount of books.discounts) {
    const key = discount.code.toUpperCase();
    discountsByCode.set(key, [...(discountsByCode.get(key) ?? []), discount]);
  }
  const deductedReviews = new Set<string>();
  for (const customerBooks of books.customers) {
    for (const id of checkCustomerBooks(customerBooks, books.discounts, discountsByCode, violate)) {
      deductedReviews.add(id);
    }
  }
  checkClientAnswers(books.intents, violate);
  checkExecutionEndings(books, violate);
  return { violations, suspects, deductedReviews };
}

/** Audit trail and state path of each suspect conversion. */
async function gatherEvidence(
  stack: SoakStack,
  audit: SoakStores["audit"],
  suspects: ReadonlySet<string>,
): Promise<SoakReport["evidence"]> {
  const evidence: SoakReport["evidence"] = {};
  for (const conversionId of suspects) {
    const events = await audit.listAuditEvents({ type: "conversion", id: conversionId });
    evidence[conversionId] = {
      trail: events.map(
        (e) =>
          `${e.at} ${e.type}:${e.outcome}${e.detail ? ` (${e.detail})` : ""}${e.externalIds?.smaregiTransactionHeadIds ? ` tx=${e.externalIds.smaregiTransactionHeadIds.join(",")}` : ""}`,
      ),
      states: statePath(stack, conversionId),
    };
  }
  return evidence;
}

function needsReviewEntries(books: SoakBooks, deductedReviews: ReadonlySet<string>): NeedsReviewEntry[] {
  return books.customers.flatMap(({ parked }) =>
    parked.map(({ record, events, states }) => ({
      conversionId: record.conversionId,
      customerId: record.customerId,
      points: record.points,
      reviewReason: record.reviewReason,
      deducted: deductedReviews.has(record.conversionId),
      trail: events.map((e) => `${e.type}:${e.outcome}${e.detail ? ` (${e.detail})` : ""}`),
      states,
    })),
  );
}

/** The run's figures, the invariants' verdict and the evidence, in the report's shape. */
function soakReport(run: {
  settings: SoakSettings;
  startedAt: number;
  driven: DrivenRun;
  drainTimeMs: number;
  books: SoakBooks;
  check: InvariantCheck;
  evidence: SoakReport["evidence"];
}): SoakReport {
  const { books, driven } = run;
  const { intents } = driven;
  const statusCounts: Record<ConversionStatus, number> = {
    reserved: 0,
    completed: 0,
    failed: 0,
    compensated: 0,
    needs_review: 0,
  };
  const failureCodes: Record<string, number> = {};
  let pointsDeducted = 0;
  for (const { customer, records, balance } of books.customers) {
    for (const record of records) {
      statusCounts[record.status] += 1;
      if (record.failure) failureCodes[record.failure.code] = (failureCodes[record.failure.code] ?? 0) + 1;
    }
    pointsDeducted += customer.startingBalance - (balance ?? customer.startingBalance);
  }
  const executions: Record<string, number> = {};
  for (const { ending } of books.executions) executions[ending] = (executions[ending] ?? 0) + 1;
  const clientOutcomes: Record<ClientOutcome, number> = {
    completed: 0,
    refused: 0,
    needs_review: 0,
    abandoned: 0,
  };
  for (const intent of intents) clientOutcomes[intent.outcome] += 1;

  return {
    options: run.settings,
    wallTimeMs: Math.round(performance.now() - run.startedAt),
    driveTimeMs: driven.driveTimeMs,
    drainTimeMs: run.drainTimeMs,
    customers: books.customers.length,
    intents: intents.length,
    statusCounts,
    failureCodes,
    clientOutcomes,
    replays: intents.reduce((sum, i) => sum + i.replays, 0),
    conflicts: intents.reduce((sum, i) => sum + i.conflicts, 0),
    networkErrors: intents.reduce((sum, i) => sum + i.networkErrors, 0),
    executions,
    faults: driven.faults,
    pointsDeducted,
    lateDeductions: {
      returned: books.customers
        .flatMap((customer) => customer.records)
        .filter(
          (r) =>
            (r.status === "failed" || r.status === "compensated") && (r.transactionHeadIds?.length ?? 0) > 0,
        ).length,
      alerted: books.customers.reduce((sum, customer) => sum + customer.lateAlerted.length, 0),
    },
    needsReview: needsReviewEntries(books, run.check.deductedReviews),
    violations: run.check.violations,
    evidence: run.evidence,
  };
}

export async function runSoak(handles: SoakHandles, options: SoakOptions): Promise<SoakReport> {
  const { stack } = handles;
  const settings = soakSettings(options);
  const log = options.log ?? (() => undefined);
  const startedAt = performance.now();

  const documents = DynamoDBDocument.from(new DynamoDBClient(localDynamoDbClientConfig(stack.urls.dynamodb)));
  try {
    const stores: SoakStores = {
      documents,
      loyaltyTable: handles.tableNames.loyalty,
      conversions:
        handles.conversions ??
        new DynamoConversionStore({ client: documents, tableName: handles.tableNames.loyalty }),
      audit:
        handles.audit ?? new DynamoAuditHistory({ client: documents, tableName: handles.tableNames.audit }),
    };

    // 1. Customers in both systems, before any fault.
    const customers = await setUpCustomers(stack, settings.customers);
    log(`soak: ${customers.length} customers with ${STARTING_POINTS} points each`);

    // 2. The clients convert while both emulators fail.
    const driven = await driveUnderFaults(stack, customers, settings, log);

    // 3. Every execution over, then the books.
    const drainStart = performance.now();
    await drainExecutions(stack, settings.drainTimeoutMs);
    const drainTimeMs = Math.round(performance.now() - drainStart);
    const books = await readBooks(stack, stores, customers, driven.intents);

    // 4. The invariants, with the trail of every conversion that broke one.
    const check = checkInvariants(books);
    const evidence = await gatherEvidence(stack, stores.audit, check.suspects);
    return soakReport({ settings, startedAt, driven, drainTimeMs, books, check, evidence });
  } finally {
    documents.destroy();
  }
}

/** A few lines for a terminal or a test log. */
export function describeSoak(report: SoakReport): string {
  const faults = (name: string, figures: FaultFigures) => {
    const perOperation = Object.entries(figures.fired)
      .map(
        ([operation, kinds]) =>
          `${operation}(${figures.calls[operation] ?? 0} calls: ${Object.entries(kinds)
            .map(([kind, n]) => `${kind} ${n}`)
            .join(", ")})`,
      )
      .join("; ");
    return `  ${name}: ${figures.firedTotal} faults fired — ${perOperation || "none"}${figures.uncovered.length ? ` | UNCOVERED: ${figures.uncovered.join(", ")}` : ""}`;
  };
  const lines = [
    `soak: ${report.intents} conversions, ${report.customers} customers, fault rate ${report.options.faultRate}, seed ${report.options.seed}`,
    `  wall ${report.wallTimeMs} ms (driving ${report.driveTimeMs} ms, draining ${report.drainTimeMs} ms)`,
    `  statuses: ${Object.entries(report.statusCounts)
      .map(([status, n]) => `${status} ${n}`)
      .join(", ")}; failures: ${Object.entries(report.failureCodes)
      .map(([code, n]) => `${code} ${n}`)
      .join(", ")}`,
    `  clients: ${Object.entries(report.clientOutcomes)
      .map(([outcome, n]) => `${outcome} ${n}`)
      .join(
        ", ",
      )}; replays ${report.replays}, 409s ${report.conflicts}, network errors ${report.networkErrors}`,
    `  executions: ${Object.entries(report.executions)
      .map(([ending, n]) => `${ending} ${n}`)
      .join(", ")}`,
    `  POS points taken: ${report.pointsDeducted}`,
    `  late deductions: ${report.lateDeductions.returned} given back, ${report.lateDeductions.alerted} alerted`,
    faults("smaregi", report.faults.smaregi),
    faults("shopify", report.faults.shopify),
    `  needs_review: ${report.needsReview.length}`,
    ...report.needsReview.flatMap((entry) => [
      `    ${entry.conversionId} (${entry.points} pt, ${entry.deducted ? "points taken" : "no points taken"}): ${entry.reviewReason}`,
      ...entry.trail.map((line) => `      ${line}`),
    ]),
    `  violations: ${report.violations.length}`,
    ...report.violations.map((violation) => `    - ${violation}`),
    ...Object.entries(report.evidence).flatMap(([conversionId, { trail, states }]) => [
      `    evidence ${conversionId}: ${states.join(" > ")}`,
      ...trail.map((line) => `      ${line}`),
    ]),
  ];
  return lines.join("\n");
}
