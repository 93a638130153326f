import { execFileSync, spawnSync } from "node:child_process";
import {
  cpSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { parseArgs } from "node:util";
import { BUNDLE_FILE } from "../infra/bundling";
import { type FunctionName, functions } from "../infra/catalog";
import { summarise } from "./stats";

/**
 * `npm run bench:cold-start`: what each Lambda costs before its first request, measured on the
 * bundles CDK ships. It synthesises the stack (`cdk synth`, the same esbuild bundles a deploy
 * uploads), then for every function of the template:
 * - the bundle's size (`index.mjs`, source map excluded);
 * - its module init: a fresh Node process per run imports the bundle with the function's own
 *   environment from the template (references to the stack's resources filled in with names of
 *   their shape) and its `NODE_OPTIONS`, and times the import; the median of the runs;
 * - whether anything was opened over the network during the import (there must be nothing).
 *
 * The Node.js runtime's own start (before the handler module is imported) is not included: it is
 * the same for every function and not ours to change.
 *
 * Options: --runs N (per function, default 7), --from DIR (an existing `cdk synth --output` DIR),
 *          --only name,name (catalog names)
 */

const { values } = parseArgs({
  options: {
    runs: { type: "string", default: "7" },
    from: { type: "string" },
    only: { type: "string" },
  },
});

const projectRoot = fileURLToPath(new URL("../", import.meta.url));
const SIZE_LIMIT_BYTES = 150 * 1000;
const INIT_GOAL_MS = 150;

type Template = {
  Resources: Record<
    string,
    { Type: string; Metadata?: Record<string, unknown>; Properties?: Record<string, unknown> }
  >;
};

function synthesise(): string {
  const output = mkdtempSync(path.join(tmpdir(), "loyalty-synth-"));
  execFileSync("npx", ["cdk", "synth", "--quiet", "--output", output], { cwd: projectRoot, stdio: "ignore" });
  return output;
}

const REGION = "ap-northeast-1";
const ACCOUNT = "123456789012";

/** A value of the shape AWS would put where the template refers to one of its resources. */
function resolved(value: unknown, template: Template): string {
  if (typeof value === "string") return value;
  const ref = (value as { Ref?: string }).Ref ?? (value as { "Fn::GetAtt"?: string[] })["Fn::GetAtt"]?.[0];
  const type = ref ? template.Resources[ref]?.Type : undefined;
  switch (type) {
    case "AWS::SecretsManager::Secret":
      return `arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:${ref}-AbCdEf`;
    case "AWS::StepFunctions::StateMachine":
      return `arn:aws:states:${REGION}:${ACCOUNT}:stateMachine:${ref}`;
    default:
      return `${ref ?? "value"}`;
  }
}

interface TemplateFunction {
  name: FunctionName;
  bundle: string;
  memoryMb: number;
  environment: Record<string, string>;
}

function functionsOf(cdkOut: string): TemplateFunction[] {
  const templates = readdirSync(cdkOut).filter((file) => file.endsWith(".template.json"));
  if (templates.length !== 1)
    throw new Error(`Expected one stack template in ${cdkOut}, found ${templates.length}`);
  const stackFile = path.join(cdkOut, templates[0] as string);
  const template = JSON.parse(readFileSync(stackFile, "utf8")) as Template;
  const byDescription = new Map(
    (Object.entries(functions) as Array<[FunctionName, { description: string }]>).map(([name, spec]) => [
      spec.description,
      name,
    ]),
  );
  const found: TemplateFunction[] = [];
  for (const resource of Object.values(template.Resources)) {
    if (resource.Type !== "AWS::Lambda::Function") continue;
    const name = byDescription.get(String(resource.Properties?.Description));
    // CDK's own helper functions (e.g. the console's deployment) are not the service's.
    if (!name) continue;
    const variables = (resource.Properties?.Environment as { Variables?: Record<string, unknown> })
      ?.Variables;
    found.push({
      name,
      bundle: path.join(cdkOut, String(resource.Metadata?.["aws:asset:path"]), BUNDLE_FILE),
      memoryMb: Number(resource.Properties?.MemorySize ?? 128),
      environment: Object.fromEntries(
        Object.entries(variables ?? {}).map(([key, value]) => [key, resolved(value, template)]),
      ),
    });
  }
  return found.sort((a, b) => a.name.localeCompare(b.name));
}

/**
 * Runs in the fresh process: notes any network use, imports the bundle, prints the time. Sockets
 * and fetch are watched, not refused, so a module that did connect would still load and be named.
 */
const probe = `
import net from "node:net";
const opened = [];
const connect = net.Socket.prototype.connect;
net.Socket.prototype.connect = function (...args) { opened.push(String(args[0]?.host ?? args[0]?.path ?? args[0])); return connect.apply(this, args); };
const fetchBefore = globalThis.fetch;
globalThis.fetch = (input, init) => { opened.push(String(input)); return fetchBefore(input, init); };
const started = performance.now();
const module = await import(process.argv[1]);
const ms = performance.now() - started;
if (typeof module.handler !== "function") throw new Error("no handler export");
process.stdout.write(JSON.stringify({ ms, opened }));
`;

function measureInit(fn: TemplateFunction, bundleUrl: string) {
  const { NODE_OPTIONS, ...rest } = fn.environment;
  const result = spawnSync(
    process.execPath,
    [...(NODE_OPTIONS ? NODE_OPTIONS.split(/\s+/) : []), "--input-type=module", "-e", probe, bundleUrl],
    {
      env: {
        PATH: process.env.PATH,
        ...rest,
        AWS_REGION: REGION,
        AWS_DEFAULT_REGION: REGION,
        AWS_LAMBDA_FUNCTION_NAME: `loyalty-demo-${fn.name}`,
        AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(fn.memoryMb),
        AWS_EXECUTION_ENV: "AWS_Lambda_nodejs22.x",
        TZ: ":UTC",
      },
      encoding: "utf8",
    },
  );
  if (result.status !== 0) throw new Error(`${fn.name} failed to load:\n${result.stderr}`);
  return JSON.parse(result.stdout) as { ms: number; opened: string[] };
}

function main() {
  const runs = Number(values.runs);
  const only = values.only ? new Set(values.only.split(",")) : undefined;
  const cdkOut = values.from ?? synthesise();
  // The bundles are run from inside the project, as Lambda runs them next to the runtime's SDK:
  // an import of `@aws-sdk/*` (none should happen at init) would resolve and be timed.
  const runRoot = path.join(projectRoot, ".build", "cold-start");
  rmSync(runRoot, { recursive: true, force: true });
  const rows = [];
  for (const fn of functionsOf(cdkOut)) {
    if (only && !only.has(fn.name)) continue;
    const directory = path.join(runRoot, fn.name);
    mkdirSync(directory, { recursive: true });
    cpSync(path.dirname(fn.bundle), directory, { recursive: true });
    const bundle = path.join(directory, BUNDLE_FILE);
    const samples = Array.from({ length: runs }, () => measureInit(fn, pathToFileURL(bundle).href));
    const init = summarise(samples.map((sample) => sample.ms));
    const opened = [...new Set(samples.flatMap((sample) => sample.opened))];
    rows.push({ name: fn.name, bytes: statSync(bundle).size, memoryMb: fn.memoryMb, init, opened });
    process.stdout.write(".");
  }
  process.stdout.write("\n");
  if (!values.from) rmSync(cdkOut, { recursive: true, force: true });

  console.log(`| function | bundle KB | init median ms | init max ms | memory MB |`);
  console.log(`| --- | ---: | ---: | ---: | ---: |`);
  for (const row of rows) {
    console.log(
      `| ${row.name} | ${(row.bytes / 1000).toFixed(1)} | ${row.init.p50.toFixed(1)} | ${row.init.max.toFixed(1)} | ${row.memoryMb} |`,
    );
  }
  const largest = Math.max(...rows.map((row) => row.bytes));
  const slowest = Math.max(...rows.map((row) => row.init.p50));
  const network = rows.filter((row) => row.opened.length > 0);
  console.log(
    `\n${rows.length} functions, ${runs} fresh processes each, ${process.version}. ` +
      `Largest bundle ${(largest / 1000).toFixed(1)} KB (goal <= ${SIZE_LIMIT_BYTES / 1000} KB), ` +
      `slowest median init ${slowest.toFixed(1)} ms (goal <= ${INIT_GOAL_MS} ms), ` +
      `network at import: ${network.length === 0 ? "none" : network.map((row) => `${row.name} -> ${row.opened.join(", ")}`).join("; ")}.`,
  );
  mkdirSync(path.join(projectRoot, "bench", "reports"), { recursive: true });
  const file = path.join(projectRoot, "bench", "reports", `cold-start-${Date.now()}.json`);
  writeFileSync(
    file,
    `${JSON.stringify({ at: new Date().toISOString(), node: process.version, runs, functions: rows }, null, 2)}\n`,
  );
  console.log(`report: bench/reports/${path.basename(file)}`);
}

main();
