import { mkdirSync, writeFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { findFreePort } from "../infra/local/dynamodb";
import { startLocalStack } from "../infra/local/stack";
import { localTableNames } from "../shared/tables";
import { applyFaultRunLogLevel, faultRunLogLevel } from "./fault-logs";
import { describeSoak, runSoak } from "./soak-runner";

/**
 * `npm run soak`: the money-safety soak on a fresh local stack (its own DynamoDB Local). Prints
 * the figures, writes bench/reports/soak-*.json and exits 1 if any invariant broke.
 *
 * Options: --customers N (default 20), --conversions N (default 200), --fault-rate R (default 0.2),
 *          --seed S (workload seed; the emulators' fault draws are not seeded)
 */

const { values } = parseArgs({
  options: {
    customers: { type: "string", default: "20" },
    conversions: { type: "string", default: "200" },
    "fault-rate": { type: "string", default: "0.2" },
    seed: { type: "string" },
  },
});

const positive = (name: string, raw: string | undefined) => {
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1) throw new Error(`--${name} must be a positive integer`);
  return value;
};
const faultRate = Number(values["fault-rate"]);
if (!(faultRate >= 0 && faultRate < 1)) throw new Error("--fault-rate must be in [0, 1)");

async function main(): Promise<number> {
  const stack = await startLocalStack({
    ports: { api: 0, shopify: 0, smaregi: 0, stepFunctions: 0, ses: 0, dynamodb: await findFreePort() },
    latencyProfile: "none",
    waitTimeScale: 0.05,
    environment: {
      POS_LOOKUP_TIMEOUT_MS: "400",
      POS_WRITE_TIMEOUT_MS: "800",
      SHOPIFY_TIMEOUT_MS: "800",
      CONVERSION_WAIT_MS: "15000",
      POWERTOOLS_LOG_LEVEL: faultRunLogLevel,
    },
  });
  applyFaultRunLogLevel();
  let failed = true;
  try {
    const report = await runSoak(
      { stack, tableNames: localTableNames },
      {
        customers: positive("customers", values.customers),
        conversions: positive("conversions", values.conversions),
        faultRate,
        ...(values.seed === undefined ? {} : { seed: positive("seed", values.seed) }),
        log: (line) => console.log(line),
      },
    );
    console.log(describeSoak(report));
    mkdirSync(new URL("./reports/", import.meta.url), { recursive: true });
    const file = new URL(`./reports/soak-${Date.now()}.json`, import.meta.url);
    writeFileSync(
      file,
      `${JSON.stringify({ at: new Date().toISOString(), node: process.version, ...report }, null, 2)}\n`,
    );
    console.log(`report: bench/reports/${file.pathname.split("/").pop()}`);
    failed = report.violations.length > 0;
  } finally {
    await stack.stop();
  }
  return failed ? 1 : 0;
}

process.exit(await main());
