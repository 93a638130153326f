import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { bundleOutputRoot } from "../bundling";
import { buildLocalBundles, defaultPorts, type LocalPorts, startLocalStack } from "./stack";

/**
 * `npm start`: the whole service on 127.0.0.1 with demo data. Ports come from the environment
 * (API_PORT, SHOPIFY_PORT, SMAREGI_PORT, STEPFUNCTIONS_PORT, SES_PORT, DYNAMODB_PORT);
 * `--latency seed` makes the emulators as slow as the real services were measured;
 * `--bundled` runs every function from the bundle CDK deploys instead of the TypeScript sources.
 */

const { values } = parseArgs({
  options: {
    latency: { type: "string", default: "none" },
    bundled: { type: "boolean", default: false },
  },
  allowPositionals: false,
});
if (values.latency !== "none" && values.latency !== "seed") {
  console.error(`Unknown latency profile "${values.latency}"; use none or seed`);
  process.exit(2);
}

const portFrom = (name: string, fallback: number) => {
  const raw = process.env[name];
  if (raw === undefined || raw === "") return fallback;
  const port = Number(raw);
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    console.error(`${name} must be a port number, got "${raw}"`);
    process.exit(2);
  }
  return port;
};

const ports: LocalPorts = {
  api: portFrom("API_PORT", defaultPorts.api),
  shopify: portFrom("SHOPIFY_PORT", defaultPorts.shopify),
  smaregi: portFrom("SMAREGI_PORT", defaultPorts.smaregi),
  stepFunctions: portFrom("STEPFUNCTIONS_PORT", defaultPorts.stepFunctions),
  ses: portFrom("SES_PORT", defaultPorts.ses),
  dynamodb: portFrom("DYNAMODB_PORT", defaultPorts.dynamodb),
};

let bundleRoot: string | undefined;
if (values.bundled) {
  bundleRoot = bundleOutputRoot(fileURLToPath(new URL("../../", import.meta.url)), "local");
  const started = Date.now();
  await buildLocalBundles(bundleRoot);
  console.log(`bundles built in ${Date.now() - started} ms`);
}

const stack = await startLocalStack({
  ports,
  latencyProfile: values.latency,
  ...(bundleRoot ? { bundleRoot } : {}),
});

let stopping = false;
const shutdown = async (signal: string) => {
  if (stopping) return;
  stopping = true;
  console.log(`\n${signal}: stopping...`);
  await stack.stop();
  console.log("stopped");
  process.exit(0);
};
process.on("SIGINT", () => void shutdown("SIGINT"));
process.on("SIGTERM", () => void shutdown("SIGTERM"));

// Everything must answer before we say ready.
const health = await fetch(`${stack.urls.api}/health`);
if (!health.ok) {
  console.error(`The API did not answer /health (${health.status})`);
  await stack.stop();
  process.exit(1);
}

console.log(`API             ${stack.urls.api}`);
console.log(
  `Staff console   ${stack.urls.api}/admin/ (sign in as a demo staff member; docs/staff-console.md)`,
);
console.log(`Shopify         ${stack.urls.shopify}/admin/api/2026-10/graphql.json`);
console.log(`Storefront      ${stack.urls.shopify}/account/login (the customer points page)`);
console.log(`Smaregi         ${stack.urls.smaregi}`);
console.log(`Step Functions  ${stack.urls.stepFunctions}`);
console.log(`SES             ${stack.urls.ses}/store`);
console.log(`DynamoDB        ${stack.urls.dynamodb}`);
console.log(`latency profile ${values.latency}`);
console.log(`functions       ${bundleRoot ? "bundles (as deployed)" : "TypeScript sources"}`);
console.log("ready");
