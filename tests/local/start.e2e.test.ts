import { type ChildProcess, execFile, spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterEach, describe, expect, it } from "vitest";
import { findFreePort } from "../../infra/local/dynamodb";

/**
 * `npm start` as a developer runs it: the start script in its own process, on ports from the
 * environment, until Ctrl-C.
 *
 * The script runs as `npm start` runs it, `node --import tsx`, without npm in between: npm runs the
 * command through `sh -c`, and that shell dies of SIGINT at once (exit 130) while the stack is
 * still stopping, so its exit status would say nothing about the stack. Node itself receives the
 * signal and exits with the script's own status. (Under the tsx command, a second process relays
 * the signal and kills the script if it has not confirmed it within 30 ms: on a loaded machine
 * Ctrl-C then ended the stack with SIGKILL and exit 130.)
 */

const repositoryRoot = fileURLToPath(new URL("../../", import.meta.url));
const execFileAsync = promisify(execFile);
const taroCustomerId = "8840734670934";

const portVariables = [
  "API_PORT",
  "SHOPIFY_PORT",
  "SMAREGI_PORT",
  "STEPFUNCTIONS_PORT",
  "SES_PORT",
  "DYNAMODB_PORT",
] as const;
type PortVariable = (typeof portVariables)[number];

async function freePorts(): Promise<Record<PortVariable, number>> {
  const chosen = new Set<number>();
  while (chosen.size < portVariables.length) chosen.add(await findFreePort());
  const [api = 0, shopify = 0, smaregi = 0, stepFunctions = 0, ses = 0, dynamodb = 0] = [...chosen];
  return {
    API_PORT: api,
    SHOPIFY_PORT: shopify,
    SMAREGI_PORT: smaregi,
    STEPFUNCTIONS_PORT: stepFunctions,
    SES_PORT: ses,
    DYNAMODB_PORT: dynamodb,
  };
}

interface StartedScript {
  child: ChildProcess;
  stdout: () => string;
  stderr: () => string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

const started: StartedScript[] = [];

/** The conversion's final answer: the 201 itself, or its Location polled until it is completed. */
async function settledConversion(
  apiUrl: string,
  answer: Response,
  headers: Record<string, string>,
): Promise<unknown> {
  if (answer.status !== 202) return answer.json();
  const location = answer.headers.get("location");
  if (!location) throw new Error("A 202 conversion answer without Location");
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    const view = (await (await fetch(`${apiUrl}${location}`, { headers })).json()) as { status?: string };
    if (view.status === "completed") return view;
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  throw new Error(`Conversion at ${location} did not complete within 60 s`);
}

function startScript(args: readonly string[], ports: Record<PortVariable, number>): StartedScript {
  const child = spawn(process.execPath, ["--import", "tsx", "infra/local/start.ts", ...args], {
    cwd: repositoryRoot,
    env: { ...process.env, ...Object.fromEntries(Object.entries(ports).map(([k, v]) => [k, String(v)])) },
    // Its own process group, so that whatever it leaves behind can be found and removed.
    detached: true,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout?.on("data", (chunk: Buffer) => {
    stdout += chunk.toString("utf8");
  });
  child.stderr?.on("data", (chunk: Buffer) => {
    stderr += chunk.toString("utf8");
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.once("exit", (code, signal) => resolve({ code, signal }));
  });
  const script = { child, stdout: () => stdout, stderr: () => stderr, exited };
  started.push(script);
  return script;
}

/** Resolves once stdout has a line that is exactly `line`; fails if the script exits first. */
async function waitForLine(script: StartedScript, line: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  const hasLine = () => script.stdout().split("\n").includes(line);
  let exited = false;
  void script.exited.then(() => {
    exited = true;
  });
  while (!hasLine()) {
    if (exited) {
      throw new Error(`The start script exited before "${line}":\n${script.stdout()}\n${script.stderr()}`);
    }
    if (Date.now() > deadline) {
      throw new Error(`No "${line}" within ${timeoutMs} ms:\n${script.stdout()}\n${script.stderr()}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

async function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} took longer than ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** Java processes started for DynamoDB Local on this port that are still running. */
async function javaOnPort(port: number): Promise<string[]> {
  const { stdout } = await execFileAsync("ps", ["-eo", "pid,args"]);
  return stdout
    .split("\n")
    .filter((line) => /\bjava\b/.test(line) && new RegExp(`-port\\s+${port}\\b`).test(line));
}

afterEach(async () => {
  // A failed test must not leave the stack (or its Java) running: remove this script's group.
  for (const { child, exited } of started.splice(0)) {
    if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) continue;
    try {
      process.kill(-child.pid, "SIGKILL");
    } catch {
      // Already gone.
    }
    await exited;
  }
});

describe("npm start", () => {
  it("serves the demo shop on the chosen ports until Ctrl-C, then leaves nothing running", async () => {
    // Prepare
    const ports = await freePorts();
    const script = startScript([], ports);

    // Act
    await waitForLine(script, "ready", 60_000);

    // Assess: the printed API answers, with Taro's points.
    const apiUrl = /^API\s+(http:\/\/\S+)$/m.exec(script.stdout())?.[1];
    expect(apiUrl).toBe(`http://127.0.0.1:${ports.API_PORT}`);
    expect(script.stdout()).toContain(`DynamoDB        http://127.0.0.1:${ports.DYNAMODB_PORT}`);
    const health = await fetch(`${apiUrl}/health`);
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({ status: "ok" });

    const { stdout: token } = await execFileAsync(
      "npx",
      ["tsx", "scripts/token.ts", "--customer", taroCustomerId],
      { cwd: repositoryRoot },
    );
    const points = await fetch(`${apiUrl}/v1/me/points`, {
      headers: { authorization: `Bearer ${token.trim()}`, "accept-language": "en" },
    });
    expect(points.status).toBe(200);
    expect(await points.json()).toMatchObject({ balance: 1250, display: { balance: "1,250" } });
    expect(await javaOnPort(ports.DYNAMODB_PORT)).toHaveLength(1);

    // Act: Ctrl-C
    script.child.kill("SIGINT");
    const exit = await withTimeout(script.exited, 20_000, "Stopping the stack");

    // Assess
    expect(exit, script.stderr()).toEqual({ code: 0, signal: null });
    expect(script.stdout()).toMatch(/SIGINT: stopping\.\.\.\nstopped\n$/);
    expect(await javaOnPort(ports.DYNAMODB_PORT)).toEqual([]);
    await expect(fetch(`${apiUrl}/health`)).rejects.toThrow();
  }, 90_000);

  it("with --bundled, answers the quick start from the bundles CDK deploys, retries included", async () => {
    // Prepare
    const ports = await freePorts();
    const script = startScript(["--bundled"], ports);
    await waitForLine(script, "ready", 90_000);
    expect(script.stdout()).toContain("functions       bundles (as deployed)");
    const apiUrl = `http://127.0.0.1:${ports.API_PORT}`;
    const { stdout: token } = await execFileAsync(
      "npx",
      ["tsx", "scripts/token.ts", "--customer", taroCustomerId],
      { cwd: repositoryRoot },
    );
    const customer = { authorization: `Bearer ${token.trim()}` };
    // Shopify fails once: the saga's Retry must match the bundle's ShopifyUnavailable.
    const faults = await fetch(`http://127.0.0.1:${ports.SHOPIFY_PORT}/_control/faults`, {
      method: "PUT",
      headers: { "content-type": "application/json" },
      body: JSON.stringify([{ operation: "discountCodeBasicCreate", kind: "http503", count: 1 }]),
    });
    expect(faults.status).toBe(200);

    // Act
    const points = await fetch(`${apiUrl}/v1/me/points`, { headers: customer });
    const conversion = await fetch(`${apiUrl}/v1/me/conversions`, {
      method: "POST",
      headers: { ...customer, "content-type": "application/json", "idempotency-key": crypto.randomUUID() },
      body: JSON.stringify({ points: 500 }),
    });

    // Assess
    expect(points.status).toBe(200);
    expect(await points.json()).toMatchObject({ balance: 1250 });
    // 201, or 202 when the bundles' first loads outlast the API's wait: then the answer's Location
    // tells where the conversion stands, as a customer's page would poll it.
    expect([201, 202]).toContain(conversion.status);
    expect(await settledConversion(apiUrl, conversion, customer)).toMatchObject({
      status: "completed",
      balance: { before: 1250, after: 750 },
    });
    const shopify = (await (await fetch(`http://127.0.0.1:${ports.SHOPIFY_PORT}/_control`)).json()) as {
      calls: Record<string, number>;
    };
    expect(shopify.calls.discountCodeBasicCreate).toBe(2);

    script.child.kill("SIGINT");
    expect(await withTimeout(script.exited, 20_000, "Stopping the stack")).toEqual({ code: 0, signal: null });
  }, 150_000);

  it("refuses an unknown latency profile with exit code 2 and says which ones exist", async () => {
    // Prepare
    const ports = await freePorts();

    // Act
    const script = startScript(["--latency", "bogus"], ports);
    const exit = await withTimeout(script.exited, 30_000, "Refusing the profile");

    // Assess
    expect(exit).toEqual({ code: 2, signal: null });
    expect(script.stderr()).toContain('Unknown latency profile "bogus"; use none or seed');
    expect(script.stdout()).not.toContain("ready");
    expect(await javaOnPort(ports.DYNAMODB_PORT)).toEqual([]);
  }, 90_000);
});
