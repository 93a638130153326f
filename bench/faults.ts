import { mkdirSync, writeFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { findFreePort } from "../infra/local/dynamodb";
import { startLocalStack } from "../infra/local/stack";
import { localTableNames } from "../shared/tables";
import { applyFaultRunLogLevel, faultRunLogLevel } from "./fault-logs";
import {
  type CellResult,
  describeReport,
  FaultMatrix,
  type MatrixReport,
  matrixTimeouts,
  type PairSet,
  pairCells,
  recoveryOperations,
  reportOf,
  type Saga,
  scheduledReconcilers,
  singleCells,
} from "./fault-matrix";

/**
 * `npm run faults`: the fault matrices of both sagas on a fresh local stack (its own DynamoDB
 * Local). Per saga: one clean run names the operations it calls; every single fault (each
 * operation × 5 kinds × first call / every call); then pairs of faults on two different
 * operations, over the clean run's operations and those only recovery paths called in the single
 * cells. Prints the report per matrix, writes bench/reports/faults-*.json and exits 1 on any
 * violation.
 *
 * Options: --saga conversion|cancellation|both (default both), --matrix single|pair|all (default
 *          all), --pairs first-first|every-first|mixed|all (default first-first: both faults on
 *          the first call; every-first: one on every call, the other on the first; mixed: both
 *          sets), --limit N (at most N pair cells per saga, evenly spread over the set)
 */

const { values } = parseArgs({
  options: {
    saga: { type: "string", default: "both" },
    matrix: { type: "string", default: "all" },
    pairs: { type: "string", default: "first-first" },
    limit: { type: "string" },
  },
});

const sagas: Saga[] =
  values.saga === "both" ? ["conversion", "cancellation"] : [values.saga as Saga].filter(Boolean);
if (!sagas.every((saga) => saga === "conversion" || saga === "cancellation")) {
  throw new Error("--saga must be conversion, cancellation or both");
}
if (!["single", "pair", "all"].includes(values.matrix))
  throw new Error("--matrix must be single, pair or all");
if (!["first-first", "every-first", "mixed", "all"].includes(values.pairs)) {
  throw new Error("--pairs must be first-first, every-first, mixed or all");
}
const pairSet = values.pairs as PairSet;
const limit = values.limit === undefined ? undefined : Number(values.limit);
if (limit !== undefined && !(Number.isInteger(limit) && limit > 0))
  throw new Error("--limit must be a positive integer");

const spread = <T>(items: readonly T[], at: number | undefined): T[] => {
  if (at === undefined || items.length <= at) return [...items];
  return Array.from({ length: at }, (_, index) => items[Math.floor((index * items.length) / at)] as T);
};

/** Cells run so far, for a report of an interrupted run, and how to stop the stack then. */
const running: {
  saga?: Saga;
  name?: string;
  results: CellResult[];
  startedAt: number;
  stop?: () => Promise<void>;
} = {
  results: [],
  startedAt: 0,
};

async function runAll(
  matrix: FaultMatrix,
  saga: Saga,
  name: string,
  cells: ReturnType<typeof singleCells>,
): Promise<{ report: MatrixReport; results: CellResult[] }> {
  const started = performance.now();
  const results: CellResult[] = [];
  Object.assign(running, { saga, name, results, startedAt: started });
  for (const cell of cells) {
    results.push(await matrix.runCell(cell));
    if (results.length % 100 === 0) {
      const violations = results.filter((result) => result.violations.length > 0).length;
      const parked = results.filter((result) => result.parked).length;
      const settled = results.filter((result) => result.parked?.settledByReconciler).length;
      console.log(
        `  ${saga} ${name}: ${results.length}/${cells.length} cells, ${Math.round((performance.now() - started) / 1000)} s, ${parked} needs_review (${settled} settled by the reconciler), ${violations} with violations`,
      );
    }
  }
  const report = reportOf(saga, name, results, Math.round(performance.now() - started));
  console.log(describeReport(report));
  return { report, results };
}

async function main(): Promise<number> {
  const stack = await startLocalStack({
    ports: { api: 0, shopify: 0, smaregi: 0, stepFunctions: 0, ses: 0, dynamodb: await findFreePort() },
    latencyProfile: "none",
    waitTimeScale: 0.01,
    environment: {
      ...matrixTimeouts,
      CONVERSION_WAIT_MS: "15000",
      POWERTOOLS_LOG_LEVEL: faultRunLogLevel,
    },
  });
  running.stop = () => stack.stop();
  applyFaultRunLogLevel();
  // Imported once the stack's environment is in place, as the scheduled Lambda would read it.
  const matrix = new FaultMatrix({
    stack,
    tableNames: localTableNames,
    reconcile: await scheduledReconcilers(),
  });
  const reports: MatrixReport[] = [];
  const cellsRun: Record<string, CellResult[]> = {};
  try {
    for (const saga of sagas) {
      const clean = await matrix.discover(saga);
      console.log(
        `${saga}: a clean run calls ${clean.map((o) => `${o.emulator}.${o.operation}`).join(", ")}`,
      );
      const singles = await runAll(matrix, saga, "single faults", singleCells(saga, clean));
      reports.push(singles.report);
      cellsRun[`${saga} single`] = singles.results;
      if (values.matrix === "single") continue;
      const recovery = recoveryOperations(clean, singles.results);
      console.log(
        `${saga}: recovery paths also call ${recovery.map((o) => `${o.emulator}.${o.operation}`).join(", ") || "nothing else"}`,
      );
      const pairs = spread(pairCells(saga, clean, recovery, pairSet), limit);
      const paired = await runAll(matrix, saga, `pairs (${pairSet})`, pairs);
      reports.push(paired.report);
      cellsRun[`${saga} pairs`] = paired.results;
    }
  } finally {
    matrix.close();
    await stack.stop();
  }
  mkdirSync(new URL("./reports/", import.meta.url), { recursive: true });
  const file = new URL(`./reports/faults-${Date.now()}.json`, import.meta.url);
  writeFileSync(
    file,
    `${JSON.stringify({ at: new Date().toISOString(), node: process.version, options: values, reports, cells: cellsRun }, null, 2)}\n`,
  );
  console.log(`report: bench/reports/${file.pathname.split("/").pop()}`);
  return reports.some((report) => report.violations.length > 0) ? 1 : 0;
}

// An interrupted run still reports the cells it ran.
process.once("SIGINT", async () => {
  if (running.saga && running.name) {
    const partial = reportOf(
      running.saga,
      `${running.name}, interrupted`,
      running.results,
      Math.round(performance.now() - running.startedAt),
    );
    console.log(describeReport(partial));
  }
  await running.stop?.().catch(() => undefined);
  process.exit(130);
});

process.exit(await main());
