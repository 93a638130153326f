import { type ChildProcess, fork } from "node:child_process";
import { once } from "node:events";
import { createRequire } from "node:module";
import { fileURLToPath, pathToFileURL } from "node:url";

/**
 * Runs the Shopify, Smaregi and SES emulators (and, when asked, the DynamoDB capacity-counting
 * proxy) in a Node child process, so their work and their injected-latency timers do not share an
 * event loop with the process that runs the API. Reached over HTTP only: the emulators' control
 * routes (`/_control/*`, docs/local.md) take the place of the in-process stores.
 */

export interface EmulatorHostConfig {
  latencyProfile: "none" | "seed";
  ports: { shopify: number; smaregi: number; ses: number };
  /** Where the Shopify emulator delivers order webhooks. */
  webhookUrl: string;
  /** Serve the demo storefront, proxying to this API. */
  storefrontApiUrl?: string;
  /** Start the capacity-counting proxy in front of this DynamoDB endpoint. */
  capacityProxyTarget?: string;
}

export interface EmulatorUrls {
  shopify: string;
  smaregi: string;
  ses: string;
  /** The capacity-counting proxy, when asked for. */
  dynamodb?: string;
}

export type EmulatorHostMessage = { type: "ready"; urls: EmulatorUrls } | { type: "failed"; message: string };

export interface EmulatorProcess {
  readonly urls: EmulatorUrls;
  readonly pid: number;
  /** Stops the emulators and waits for the process to exit. Safe to call twice. */
  stop(): Promise<void>;
}

const STARTUP_TIMEOUT_MS = 60_000;
const STOP_GRACE_MS = 5_000;

/** The emulators are TypeScript: the child loads them through tsx, as `npm start` does. */
function typeScriptLoader(): string {
  return pathToFileURL(createRequire(import.meta.url).resolve("tsx")).href;
}

export async function startEmulatorProcess(config: EmulatorHostConfig): Promise<EmulatorProcess> {
  const child: ChildProcess = fork(
    fileURLToPath(new URL("./host.ts", import.meta.url)),
    [JSON.stringify(config)],
    {
      execArgv: ["--import", typeScriptLoader()],
      stdio: ["ignore", "inherit", "inherit", "ipc"],
      env: { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true" },
    },
  );
  const exited = once(child, "exit").then(() => undefined);
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    if (child.connected) child.send({ type: "stop" });
    const timer = setTimeout(() => child.kill("SIGKILL"), STOP_GRACE_MS);
    await exited;
    clearTimeout(timer);
  };
  try {
    const ready = new Promise<EmulatorUrls>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`The emulator process did not start within ${STARTUP_TIMEOUT_MS / 1000} s`)),
        STARTUP_TIMEOUT_MS,
      );
      child.on("message", (message: EmulatorHostMessage) => {
        clearTimeout(timer);
        if (message.type === "ready") resolve(message.urls);
        else reject(new Error(`The emulator process failed to start: ${message.message}`));
      });
      child.once("error", (error) => {
        clearTimeout(timer);
        reject(error);
      });
      void exited.then(() => {
        clearTimeout(timer);
        reject(new Error(`The emulator process exited (code ${child.exitCode ?? child.signalCode})`));
      });
    });
    const urls = await ready;
    if (child.pid === undefined) throw new Error("The emulator process has no pid");
    return { urls, pid: child.pid, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
