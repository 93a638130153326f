import { mkdirSync, writeFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { Worker } from "node:worker_threads";
import { demoCredentials, demoShop } from "../infra/local/demo-data";
import { findFreePort } from "../infra/local/dynamodb";
import { type LocalStack, startLocalStack } from "../infra/local/stack";
import { customerSessionTokens } from "../shared/auth/mint";
import { runClosedLoop, summarise } from "./stats";

/**
 * `npm run bench`: the local stack under the `seed` latency profile (the emulators answer as
 * slowly as the real services were measured), driven over HTTP. Reports latency percentiles and
 * the service's own overhead (latency minus the injected dependency latency on the critical path),
 * and writes a JSON report to bench/reports/.
 *
 * Options: --requests N (points requests, default 300), --concurrency C (default 10),
 *          --conversions N (default 40, one after another), --scenario points|conversions|all
 */

const { values } = parseArgs({
  options: {
    requests: { type: "string", default: "300" },
    concurrency: { type: "string", default: "10" },
    conversions: { type: "string", default: "40" },
    scenario: { type: "string", default: "all" },
  },
});

const positive = (name: string, raw: string | undefined) => {
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1) throw new Error(`--${name} must be a positive integer`);
  return value;
};

/** Seed profile: balance and history are read side by side, so one POS round trip of 250 ms. */
const POINTS_INJECTED_MS = 250;

/** Taro's session tokens, renewed as the storefront would (the API refuses ones over 5 minutes old). */
const taroTokens = customerSessionTokens({
  customerId: "8840734670934",
  appSecret: demoCredentials.shopifyAppSecret,
  shopDomain: demoShop.domain,
  clientId: demoCredentials.shopifyClientId,
});

async function benchPoints(stack: LocalStack, requests: number, concurrency: number) {
  // One token for the whole points run: it takes seconds.
  const token = await taroTokens();
  // Warm-up first (token, member lookup cache, module loading, connection pools), then measured.
  const durations = await new Promise<number[]>((resolve, reject) => {
    const worker = new Worker(new URL("./load-worker.mjs", import.meta.url), {
      workerData: {
        url: `${stack.urls.api}/v1/me/points`,
        headers: { authorization: `Bearer ${token}` },
        requests,
        concurrency,
        warmUp: Math.min(20, requests),
      },
    });
    worker.once("message", resolve);
    worker.once("error", reject);
  });
  const latency = summarise(durations);
  const overhead = summarise(durations.map((ms) => ms - POINTS_INJECTED_MS));
  return { requests, concurrency, injectedPosLatencyMs: POINTS_INJECTED_MS, latency, overhead };
}

/** Seed profile: max(balance check 250 ms, discount creation 800 ms) + deduction 600 ms. */
const CONVERSION_INJECTED_MS = 1400;

async function benchConversions(stack: LocalStack, conversions: number) {
  // One customer, one conversion at a time (the per-customer lease serialises them anyway).
  stack.smaregi.store.setPoints("1001", { point: 1_000_000 });
  const call = async () => {
    const response = await fetch(`${stack.urls.api}/v1/me/conversions`, {
      method: "POST",
      headers: {
        authorization: `Bearer ${await taroTokens()}`,
        "content-type": "application/json",
        "idempotency-key": crypto.randomUUID(),
      },
      body: JSON.stringify({ points: 100 }),
    });
    const body = await response.text();
    if (response.status !== 201) throw new Error(`conversion answered ${response.status}: ${body}`);
  };
  await runClosedLoop(2, 1, call);
  const durations = await runClosedLoop(conversions, 1, call);
  return {
    conversions,
    concurrency: 1,
    injectedLatencyMs: CONVERSION_INJECTED_MS,
    latency: summarise(durations),
    overhead: summarise(durations.map((ms) => ms - CONVERSION_INJECTED_MS)),
  };
}

async function main() {
  const scenario = values.scenario;
  const stack = await startLocalStack({
    ports: { api: 0, shopify: 0, smaregi: 0, stepFunctions: 0, ses: 0, dynamodb: await findFreePort() },
    latencyProfile: "seed",
  });
  const report: Record<string, unknown> = {
    at: new Date().toISOString(),
    node: process.version,
    profile: "seed",
    note: "load generator and stack share one Node process on this machine",
  };
  try {
    if (scenario === "points" || scenario === "all") {
      const points = await benchPoints(
        stack,
        positive("requests", values.requests),
        positive("concurrency", values.concurrency),
      );
      report.points = points;
      console.log(
        `GET /v1/me/points  n=${points.requests} c=${points.concurrency}  ` +
          `p50 ${points.latency.p50} ms  p95 ${points.latency.p95} ms  p99 ${points.latency.p99} ms  ` +
          `| overhead p50 ${points.overhead.p50} ms  p99 ${points.overhead.p99} ms  (goal: overhead p99 <= 20 ms, p50 <= 300 ms)`,
      );
    }
    if (scenario === "conversions" || scenario === "all") {
      const conversions = await benchConversions(stack, positive("conversions", values.conversions));
      report.conversions = conversions;
      console.log(
        `POST /v1/me/conversions  n=${conversions.conversions} (sequential)  ` +
          `p50 ${conversions.latency.p50} ms  p95 ${conversions.latency.p95} ms  p99 ${conversions.latency.p99} ms  ` +
          `| overhead p50 ${conversions.overhead.p50} ms  p95 ${conversions.overhead.p95} ms  (goal: p50 <= 1500 ms; floor 1400 ms)`,
      );
    }
  } finally {
    await stack.stop();
  }
  mkdirSync(new URL("./reports/", import.meta.url), { recursive: true });
  const file = new URL(`./reports/bench-${Date.now()}.json`, import.meta.url);
  writeFileSync(file, `${JSON.stringify(report, null, 2)}\n`);
  console.log(`report: bench/reports/${file.pathname.split("/").pop()}`);
}

await main();
process.exit(0);
