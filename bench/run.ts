import "./quiet";
import { fork } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { localAdminIssuer } from "../infra/local/admin-issuer";
import { demoCredentials, demoShop } from "../infra/local/demo-data";
import { findFreePort } from "../infra/local/dynamodb";
import { type LocalStackOptions, startLocalStack } from "../infra/local/stack";
import { mintAdminToken } from "../shared/auth/admin-token";
import { customerSessionTokens } from "../shared/auth/mint";
import {
  type CostEstimate,
  combineUsage,
  costFor,
  type ScenarioUsage,
  totalLambda,
  withCapacityOf,
} from "./cost";
import { UsageMeter } from "./meter";
import { PRICE_REGION, prices } from "./prices";
import { type LatencySummary, summarise } from "./stats";

/**
 * `npm run bench`: the local stack under the `seed` latency profile (the emulators answer as
 * slowly as the real services were measured), driven over HTTP. The API gateway, the handlers and
 * the Step Functions runner run in this process; the Shopify, Smaregi and SES emulators and the
 * DynamoDB capacity-counting proxy in a child process (DynamoDB Local is Java, a process of its
 * own), the load generator of every scenario in another (`load-client.mjs`), so this process measures the
 * service, not the emulators or the client.
 *
 * Reports latency percentiles and the service's own overhead (latency minus the dependency latency
 * the `seed` profile injects on the critical path), and a cost model counted during the run: per
 * business operation, Lambda invocations and GB-seconds, Step Functions state transitions,
 * DynamoDB request units, SES mail and API requests, priced in `prices.ts`. Writes both to
 * bench/reports/bench-<time>.json.
 *
 * Options: --concurrency 1,10 and --requests 100,300 (balance reads, paired), --conversions 40
 *          (one after another), --cancellations 20 (one after another, of coupons converted
 *          first), --scenario points|conversions|cancellations|all,
 *          --emulators child-process|in-process (in-process: as before, to compare),
 *          --no-count-capacity (skip the capacity pass: no DynamoDB units are counted).
 *
 * Two passes, each on a fresh local stack: the latency pass, whose figures are reported, reaches
 * DynamoDB Local directly; the capacity pass then runs a few of the same operations through the
 * counting proxy (an extra hop, and pricing writes of its own, that would slow the first pass) and
 * gives the cost model its DynamoDB units per operation.
 */

const { values } = parseArgs({
  allowNegative: true,
  options: {
    requests: { type: "string", default: "100,300" },
    concurrency: { type: "string", default: "1,10" },
    conversions: { type: "string", default: "40" },
    cancellations: { type: "string", default: "20" },
    scenario: { type: "string", default: "all" },
    emulators: { type: "string", default: "child-process" },
    "count-capacity": { type: "boolean", default: true },
    // Internal: the capacity pass, run by the bench in a child process of its own.
    pass: { type: "string", default: "latency" },
  },
});

const positive = (name: string, raw: string | undefined) => {
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1) throw new Error(`--${name} must be a positive integer`);
  return value;
};
const positives = (name: string, raw: string | undefined) =>
  (raw ?? "").split(",").map((part) => positive(name, part.trim()));

const scenario = values.scenario ?? "all";
if (!["points", "conversions", "cancellations", "all"].includes(scenario)) {
  throw new Error("--scenario must be points, conversions, cancellations or all");
}
const emulators = values.emulators;
if (emulators !== "child-process" && emulators !== "in-process") {
  throw new Error("--emulators must be child-process or in-process");
}
const concurrencies = positives("concurrency", values.concurrency);
const requestCounts = positives("requests", values.requests);
const requestsAt = (index: number) => requestCounts[Math.min(index, requestCounts.length - 1)] ?? 100;

/**
 * Injected latency on the balance's critical path, `seed` profile: the points function reads the
 * balance (`getPoints`, 250 ms) and the history (`listTransactions`, 250 ms) side by side, so one
 * POS round trip of 250 ms. The member lookup (`listCustomers`, 250 ms) and the Smaregi token
 * (100 ms) are cached after the warm-up.
 */
const POINTS_INJECTED_MS = 250;

/**
 * Injected latency on a conversion's critical path, `seed` profile: the balance check
 * (`getPoints`, 250 ms) and the discount creation (`discountCodeBasicCreate`, 800 ms) run side by
 * side, then the deduction (`addPoints`, 600 ms): max(250, 800) + 600 = 1,400 ms. The coupon
 * record (`metafieldsSet`, 300 ms) is saved after the answer.
 */
const CONVERSION_INJECTED_MS = 1400;

/**
 * How many operations the capacity pass counts DynamoDB units over. Every conversion, cancellation
 * and balance read of the bench writes and reads the same items, so a few stand for all of them.
 */
const CAPACITY_PASS = { balanceReads: 20, conversions: 10, cancellations: 5 } as const;

/** The goals of issue "Lean and fast", printed beside the figures and written into the report. */
interface Goal {
  name: string;
  target: string;
  limitMs: number;
  measuredMs: number;
  met: boolean;
}
const goal = (name: string, target: string, limitMs: number, measuredMs: number): Goal => ({
  name,
  target,
  limitMs,
  measuredMs,
  met: measuredMs <= limitMs,
});

const TARO = { customerId: "8840734670934", posCustomerId: "1001" } as const;

/** Taro's session tokens, renewed as the storefront would (the API refuses ones over 5 minutes old). */
const taroTokens = customerSessionTokens({
  customerId: TARO.customerId,
  appSecret: demoCredentials.shopifyAppSecret,
  shopDomain: demoShop.domain,
  clientId: demoCredentials.shopifyClientId,
});

const adminToken = () =>
  mintAdminToken({
    email: "ops@example.com",
    role: "admin",
    issuer: localAdminIssuer.issuer,
    audience: localAdminIssuer.audience,
    privateKey: localAdminIssuer.privateKey,
  });

interface LatencyResult {
  scenario: string;
  requests: number;
  concurrency: number;
  injectedLatencyMs: number;
  latency: LatencySummary;
  overhead?: LatencySummary;
  goals: Goal[];
  usage: ScenarioUsage;
}

interface BenchContext {
  apiUrl: string;
  smaregiUrl: string;
  meter: UsageMeter;
}

/** What `load-client.mjs` is told to send (its header comment says how). */
interface LoadClientConfig {
  urls: string[];
  method?: "GET" | "POST";
  headers: Record<string, string>;
  body?: string;
  expectStatus?: number;
  idempotent?: boolean;
  requests: number;
  concurrency: number;
  warmUp: number;
  keepBodies?: boolean;
  /** Start the measured lanes in the same millisecond rather than spread (see the client). */
  together?: boolean;
}

/**
 * Runs requests from the load generator's own process (`load-client.mjs`), counting usage between
 * its warm-up and the end of the measured requests. Resolves with their durations, and the bodies
 * of every answer (warm-up first) when `keepBodies` is set.
 */
async function runLoadClient(
  context: BenchContext,
  config: LoadClientConfig,
): Promise<{ durations: number[]; bodies: string[] }> {
  const client = fork(
    fileURLToPath(new URL("./load-client.mjs", import.meta.url)),
    [JSON.stringify(config)],
    {
      stdio: ["ignore", "inherit", "inherit", "ipc"],
    },
  );
  type ClientMessage =
    | { type: "warmed" }
    | { type: "done"; durations: number[]; bodies: string[] }
    | { type: "failed"; message: string };
  return new Promise<{ durations: number[]; bodies: string[] }>((resolve, reject) => {
    client.on("message", (message: ClientMessage) => {
      if (message.type === "warmed") {
        context.meter.start().then(() => client.send("go"), reject);
      } else if (message.type === "done") {
        resolve({ durations: message.durations, bodies: message.bodies });
      } else {
        reject(new Error(`The load client failed: ${message.message}`));
      }
    });
    client.once("error", reject);
    client.once("exit", (code) => reject(new Error(`The load client exited (code ${code})`)));
  }).finally(() => {
    if (client.exitCode === null) client.kill();
  });
}

/**
 * Balance reads from `concurrency` customers, each reading again as soon as it has its answer. The
 * customers arrive spread over one answer time; `together` has them all send their first read in
 * the same millisecond, and so every read after it (a burst of `concurrency` every answer time,
 * which the API's one event loop here takes one after another, where in AWS each request has a
 * Lambda instance to itself): reported beside the goal, not held to it.
 */
async function benchPoints(
  context: BenchContext,
  requests: number,
  concurrency: number,
  together = false,
): Promise<LatencyResult> {
  // One token for the whole points run: it takes seconds.
  const token = await taroTokens();
  const { durations } = await runLoadClient(context, {
    urls: [`${context.apiUrl}/v1/me/points`],
    headers: { authorization: `Bearer ${token}` },
    requests,
    concurrency,
    // Token, member lookup cache, module loading, connection pools.
    warmUp: Math.min(20, requests),
    together,
  });
  const usage = await context.meter.finish(requests);
  const latency = summarise(durations);
  const overhead = summarise(durations.map((ms) => ms - POINTS_INJECTED_MS));
  const goals =
    concurrency >= 10 && !together
      ? [goal(`balance overhead p99 (c=${concurrency})`, "<= 20 ms", 20, overhead.p99)]
      : [];
  return {
    scenario: `GET /v1/me/points c=${concurrency}${together ? ", all at once" : ""}`,
    requests,
    concurrency,
    injectedLatencyMs: POINTS_INJECTED_MS,
    latency,
    overhead,
    goals,
    usage,
  };
}

async function setPoints(context: BenchContext, posCustomerId: string, point: number): Promise<void> {
  // The emulator's own control route (infra/local/smaregi/app.ts): it may run in another process.
  const response = await fetch(`${context.smaregiUrl}/_control/customers/${posCustomerId}/points`, {
    method: "PUT",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ point }),
  });
  if (!response.ok) throw new Error(`setting points answered ${response.status}: ${await response.text()}`);
  await response.body?.cancel();
}

/** The body a conversion is asked for. */
const CONVERSION_BODY = JSON.stringify({ points: 100 });

const couponCodeOf = (body: string) => (JSON.parse(body) as { coupon: { code: string } }).coupon.code;

/** One conversion from this process: only to make coupons for the cancellations, not measured. */
async function convert(context: BenchContext): Promise<string> {
  const response = await fetch(`${context.apiUrl}/v1/me/conversions`, {
    method: "POST",
    headers: {
      authorization: `Bearer ${await taroTokens()}`,
      "content-type": "application/json",
      "idempotency-key": crypto.randomUUID(),
    },
    body: CONVERSION_BODY,
  });
  const body = await response.text();
  if (response.status !== 201) throw new Error(`conversion answered ${response.status}: ${body}`);
  return couponCodeOf(body);
}

async function benchConversions(
  context: BenchContext,
  conversions: number,
): Promise<LatencyResult & { codes: string[] }> {
  // One customer, one conversion at a time (the per-customer lease serialises them anyway), from
  // the load generator's process; the token lasts the run (the API takes them up to 5 minutes old).
  await setPoints(context, TARO.posCustomerId, 1_000_000);
  const { durations, bodies } = await runLoadClient(context, {
    urls: [`${context.apiUrl}/v1/me/conversions`],
    method: "POST",
    headers: { authorization: `Bearer ${await taroTokens()}`, "content-type": "application/json" },
    body: CONVERSION_BODY,
    expectStatus: 201,
    idempotent: true,
    requests: conversions,
    concurrency: 1,
    // The first ~20 conversions after a start run 20-25 ms slower while the JITs compile the hot
    // paths (DynamoDB Local's JVM above all: its reservation transaction goes from ~12 to ~6 ms);
    // the figures are those of the steady state that follows.
    warmUp: 20,
    keepBodies: true,
  });
  const codes = bodies.map(couponCodeOf);
  const usage = await context.meter.finish(conversions);
  const latency = summarise(durations);
  return {
    scenario: "POST /v1/me/conversions (sequential)",
    requests: conversions,
    concurrency: 1,
    injectedLatencyMs: CONVERSION_INJECTED_MS,
    latency,
    overhead: summarise(durations.map((ms) => ms - CONVERSION_INJECTED_MS)),
    goals: [
      goal("conversion p50", "<= 1,450 ms", 1450, latency.p50),
      goal("conversion p99", "<= 1,550 ms", 1550, latency.p99),
    ],
    usage,
    codes,
  };
}

/** Staff cancel unused coupons one after another (the points go back, the customer is emailed). */
async function benchCancellations(
  context: BenchContext,
  cancellations: number,
  available: string[],
): Promise<LatencyResult> {
  const codes = [...available];
  if (codes.length < cancellations + 1) await setPoints(context, TARO.posCustomerId, 1_000_000);
  while (codes.length < cancellations + 1) codes.push(await convert(context));
  const { durations } = await runLoadClient(context, {
    urls: codes
      .slice(0, cancellations + 1)
      .map((code) => `${context.apiUrl}/v1/admin/coupons/${encodeURIComponent(code)}/cancel`),
    method: "POST",
    headers: { authorization: `Bearer ${await adminToken()}`, "content-type": "application/json" },
    body: JSON.stringify({ reason: "customer_request", note: "bench" }),
    idempotent: true,
    requests: cancellations,
    concurrency: 1,
    warmUp: 1,
  });
  const usage = await context.meter.finish(cancellations);
  return {
    scenario: "POST /v1/admin/coupons/{code}/cancel (sequential)",
    requests: cancellations,
    concurrency: 1,
    injectedLatencyMs: 0,
    latency: summarise(durations),
    goals: [],
    usage,
  };
}

// ---- printing ----

const ms = (value: number) => value.toLocaleString("en-US", { maximumFractionDigits: 1 });
const pad = (text: string, width: number) => text.padEnd(width);
const lpad = (text: string, width: number) => text.padStart(width);

function printLatency(results: readonly LatencyResult[]): void {
  console.log(
    "\nLatency (ms), seed profile; overhead = latency minus the injected latency on the critical path;",
  );
  console.log("CPU = CPU ms per request of the measured process + of the emulator process");
  console.log(
    `${pad("Scenario", 52)}${lpad("n", 5)}${lpad("p50", 9)}${lpad("p95", 9)}${lpad("p99", 9)}   ${pad("overhead p50 / p95 / p99", 27)}CPU`,
  );
  for (const result of results) {
    const overhead = result.overhead
      ? `${ms(result.overhead.p50)} / ${ms(result.overhead.p95)} / ${ms(result.overhead.p99)}`
      : "-";
    const { measuredProcessMs, emulatorProcessMs } = result.usage.cpu;
    const cpu = `${ms(measuredProcessMs / result.requests)}${
      emulatorProcessMs === undefined ? "" : ` + ${ms(emulatorProcessMs / result.requests)}`
    }`;
    console.log(
      `${pad(result.scenario, 52)}${lpad(String(result.requests), 5)}${lpad(ms(result.latency.p50), 9)}${lpad(ms(result.latency.p95), 9)}${lpad(ms(result.latency.p99), 9)}   ${pad(overhead, 27)}${cpu}`,
    );
  }
  const goals = results.flatMap((result) => result.goals);
  if (goals.length === 0) return;
  console.log("\nGoals");
  for (const g of goals) {
    console.log(
      `  ${pad(`${g.name} ${g.target}`, 44)}${lpad(`${ms(g.measuredMs)} ms`, 12)}  ${g.met ? "met" : "NOT MET"}`,
    );
  }
}

const fixed = (value: number, digits: number) =>
  value.toLocaleString("en-US", { minimumFractionDigits: digits, maximumFractionDigits: digits });

function printUsage(rows: ReadonlyArray<[string, ScenarioUsage]>): void {
  console.log("\nCounted per operation (during the measured requests)");
  console.log(
    `${pad("Operation", 24)}${lpad("API req", 9)}${lpad("Lambda", 8)}${lpad("GB-s", 9)}${lpad("SFN trans", 11)}${lpad("RRU", 8)}${lpad("WRU", 8)}${lpad("SES", 6)}`,
  );
  for (const [name, usage] of rows) {
    const per = (value: number) => value / usage.operations;
    const lambda = totalLambda(usage);
    console.log(
      `${pad(name, 24)}${lpad(fixed(per(usage.apiRequests), 2), 9)}${lpad(fixed(per(lambda.invocations), 2), 8)}${lpad(fixed(per(lambda.gbSeconds), 3), 9)}${lpad(fixed(per(usage.stepFunctions.transitions), 1), 11)}${lpad(fixed(per(usage.dynamodb.readRequestUnits), 1), 8)}${lpad(fixed(per(usage.dynamodb.writeRequestUnits), 1), 8)}${lpad(fixed(per(usage.ses.messages), 2), 6)}`,
    );
  }
  for (const [name, usage] of rows) {
    const functions = Object.entries(usage.lambda)
      .map(
        ([fn, entry]) =>
          `${fn} ${fixed(entry.invocations / usage.operations, 2)}x ${ms(entry.billedMs / entry.invocations)} ms`,
      )
      .join(", ");
    console.log(`  ${name}: ${functions} (${Object.values(usage.lambda)[0]?.memoryMb ?? "-"} MB each)`);
  }
}

function printCosts(rows: ReadonlyArray<[string, CostEstimate]>): void {
  console.log(`\nCost, on-demand ${PRICE_REGION} prices (bench/prices.ts), US dollars`);
  const items = rows[0]?.[1].lines.map((line) => line.item) ?? [];
  console.log(
    `${pad("", 30)}${items.map((item) => lpad(item.replace("API Gateway HTTP API", "HTTP API"), 17)).join("")}${lpad("total", 11)}`,
  );
  for (const [name, estimate] of rows) {
    console.log(
      `${pad(name, 30)}${estimate.lines.map((line) => lpad(fixed(line.usd, 4), 17)).join("")}${lpad(fixed(estimate.totalUsd, 4), 11)}`,
    );
  }
}

// ---- main ----

/** A local stack for one pass, its meter, and what the scenarios need to reach it. */
async function withStack<T>(countCapacity: boolean, run: (context: BenchContext) => Promise<T>): Promise<T> {
  const meterRef: { meter?: UsageMeter } = {};
  const options: LocalStackOptions = {
    ports: { api: 0, shopify: 0, smaregi: 0, stepFunctions: 0, ses: 0, dynamodb: await findFreePort() },
    latencyProfile: "seed",
    countDynamoDbCapacity: countCapacity,
    onInvocation: (invocation) => meterRef.meter?.record(invocation),
  };
  const stack =
    emulators === "child-process"
      ? await startLocalStack({ ...options, emulators: "child-process" })
      : await startLocalStack({ ...options, emulators: "in-process" });
  const meter = new UsageMeter(stack);
  meterRef.meter = meter;
  try {
    return await run({ apiUrl: stack.urls.api, smaregiUrl: stack.urls.smaregi, meter });
  } finally {
    await stack.stop();
  }
}

const runsPoints = scenario === "points" || scenario === "all";
const runsConversions = scenario === "conversions" || scenario === "all";
const runsCancellations = scenario === "cancellations" || scenario === "all";

type CapacityUsage = { points?: ScenarioUsage; conversion?: ScenarioUsage; cancellation?: ScenarioUsage };

/** The capacity pass itself (`--pass capacity`): a few of each operation, counted through the proxy. */
async function capacityPass(): Promise<CapacityUsage> {
  return withStack(true, async (context) => {
    const usage: CapacityUsage = {};
    let codes: string[] = [];
    if (runsPoints) usage.points = (await benchPoints(context, CAPACITY_PASS.balanceReads, 1)).usage;
    if (runsConversions) {
      const result = await benchConversions(context, CAPACITY_PASS.conversions);
      codes = result.codes;
      usage.conversion = result.usage;
    }
    if (runsCancellations) {
      usage.cancellation = (await benchCancellations(context, CAPACITY_PASS.cancellations, codes)).usage;
    }
    return usage;
  });
}

function capacityPassInChild(): Promise<CapacityUsage> {
  const child = fork(
    fileURLToPath(import.meta.url),
    ["--pass", "capacity", "--scenario", scenario, "--emulators", emulators ?? "child-process"],
    { stdio: ["ignore", "inherit", "inherit", "ipc"] },
  );
  return new Promise<CapacityUsage>((resolve, reject) => {
    child.on("message", (usage: CapacityUsage) => resolve(usage));
    child.once("error", reject);
    child.once("exit", (code) => reject(new Error(`The capacity pass exited (code ${code})`)));
  });
}

async function main() {
  // The latency pass: DynamoDB reached directly, as the functions reach it in AWS.
  const results: LatencyResult[] = await withStack(false, async (context) => {
    const measured: LatencyResult[] = [];
    let codes: string[] = [];
    if (runsPoints) {
      for (const [index, concurrency] of concurrencies.entries()) {
        measured.push(await benchPoints(context, requestsAt(index), concurrency));
        if (concurrency > 1) measured.push(await benchPoints(context, requestsAt(index), concurrency, true));
      }
    }
    if (runsConversions) {
      const { codes: converted, ...result } = await benchConversions(
        context,
        positive("conversions", values.conversions),
      );
      codes = converted;
      measured.push(result);
    }
    if (runsCancellations) {
      measured.push(
        await benchCancellations(context, positive("cancellations", values.cancellations), codes),
      );
    }
    return measured;
  });

  // The capacity pass, in a process of its own (the functions' clients keep the first stack's
  // endpoints): the same operations, fewer of them, through the DynamoDB counting proxy. Its units
  // replace the latency pass's (which counted none), per operation.
  if (values["count-capacity"]) {
    const counted = await capacityPassInChild();
    for (const result of results) {
      const pass = result.scenario.startsWith("GET /v1/me/points")
        ? counted.points
        : result.scenario.startsWith("POST /v1/me/conversions")
          ? counted.conversion
          : counted.cancellation;
      if (pass) result.usage = withCapacityOf(result.usage, pass);
    }
  }

  printLatency(results);

  const points = results.filter((result) => result.scenario.startsWith("GET /v1/me/points"));
  const conversion = results.find((result) => result.scenario.startsWith("POST /v1/me/conversions"));
  const cancellation = results.find((result) => result.scenario.startsWith("POST /v1/admin/coupons"));
  const usageRows: Array<[string, ScenarioUsage]> = [];
  const costRows: Array<[string, CostEstimate]> = [];
  const costModel: Record<string, { usage: ScenarioUsage; cost: CostEstimate }> = {};
  const balanceUsage = points
    .map((result) => result.usage)
    .reduce<ScenarioUsage | undefined>((sum, usage) => (sum ? combineUsage(sum, usage) : usage), undefined);
  if (conversion) {
    usageRows.push(["conversion", conversion.usage]);
    const cost = costFor(conversion.usage, 1_000);
    costRows.push(["per 1,000 conversions", cost]);
    costModel.conversion = { usage: conversion.usage, cost };
  }
  if (cancellation) {
    usageRows.push(["cancellation", cancellation.usage]);
    const cost = costFor(cancellation.usage, 1_000);
    costRows.push(["per 1,000 cancellations", cost]);
    costModel.cancellation = { usage: cancellation.usage, cost };
  }
  if (balanceUsage) {
    usageRows.push(["balance read", balanceUsage]);
    const cost = costFor(balanceUsage, 1_000_000);
    costRows.push(["per 1,000,000 balance reads", cost]);
    costModel.balanceRead = { usage: balanceUsage, cost };
  }
  if (usageRows.length > 0) printUsage(usageRows);
  if (costRows.length > 0) printCosts(costRows);

  const goals = results.flatMap((result) => result.goals);
  const report = {
    at: new Date().toISOString(),
    node: process.version,
    profile: "seed",
    emulators,
    capacityPass: values["count-capacity"] ? CAPACITY_PASS : null,
    note:
      emulators === "child-process"
        ? "gateway, handlers and Step Functions runner in the measured process; Shopify, Smaregi and SES emulators in a child process; DynamoDB Local in Java; load generator in a child process of its own. Latency from a pass without the DynamoDB counting proxy; DynamoDB units from a capacity pass through it (usage.dynamodbCountedOver operations), per operation"
        : "gateway, handlers, Step Functions runner and the emulators share the measured process; load generator in a child process of its own. Latency from a pass without the DynamoDB counting proxy; DynamoDB units from a capacity pass through it, per operation",
    injectedLatency: {
      pointsMs: POINTS_INJECTED_MS,
      conversionMs: CONVERSION_INJECTED_MS,
      explanation:
        "seed profile: balance = getPoints and listTransactions side by side (250 ms); conversion = max(getPoints 250, discountCodeBasicCreate 800) + addPoints 600",
    },
    scenarios: results,
    goals,
    allGoalsMet: goals.every((g) => g.met),
    costModel: {
      region: PRICE_REGION,
      prices,
      pricesNote:
        "taken from the public AWS pricing pages named in `source`, as of the author's knowledge; not fetched",
      ...costModel,
    },
  };
  mkdirSync(new URL("./reports/", import.meta.url), { recursive: true });
  const file = new URL(`./reports/bench-${Date.now()}.json`, import.meta.url);
  writeFileSync(file, `${JSON.stringify(report, null, 2)}\n`);
  console.log(`\nreport: bench/reports/${file.pathname.split("/").pop()}`);
}

if (values.pass === "capacity") {
  const usage = await capacityPass();
  process.send?.(usage, () => process.exit(0));
} else {
  await main();
}
process.exit(0);
