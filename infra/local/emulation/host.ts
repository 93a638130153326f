/**
 * The Shopify, Smaregi and SES emulators in a Node process of their own (see `./process.ts`),
 * optionally with the DynamoDB capacity-counting proxy: what the bench runs outside the process it
 * measures. Configured by its one argument (JSON); answers `{type: "ready", urls}` over IPC; stops
 * on `{type: "stop"}` or when the parent goes away.
 */
import { startCapacityProxy } from "../dynamodb-capacity";
import { startLocalSes } from "../ses";
import { startShopifyEmulator } from "../shopify";
import { startSmaregiEmulator } from "../smaregi";
import type { EmulatorHostConfig, EmulatorHostMessage } from "./process";

const closers: Array<() => Promise<void>> = [];
let stopping = false;

async function stop(code: number): Promise<never> {
  if (!stopping) {
    stopping = true;
    for (const close of closers.reverse()) await close().catch(() => undefined);
  }
  process.exit(code);
}

const tell = (message: EmulatorHostMessage) => process.send?.(message);

async function start(config: EmulatorHostConfig): Promise<void> {
  const smaregi = await startSmaregiEmulator({
    port: config.ports.smaregi,
    latencyProfile: config.latencyProfile,
  });
  closers.push(() => smaregi.close());
  const shopify = await startShopifyEmulator({
    port: config.ports.shopify,
    latencyProfile: config.latencyProfile,
    webhookUrl: config.webhookUrl,
    ...(config.storefrontApiUrl ? { storefront: { apiUrl: config.storefrontApiUrl } } : {}),
  });
  closers.push(() => shopify.close());
  const ses = await startLocalSes({ port: config.ports.ses });
  closers.push(() => ses.close());
  let dynamodb: string | undefined;
  if (config.capacityProxyTarget) {
    const proxy = await startCapacityProxy({ target: config.capacityProxyTarget, port: 0 });
    closers.push(() => proxy.close());
    dynamodb = proxy.url;
  }
  tell({
    type: "ready",
    urls: { smaregi: smaregi.url, shopify: shopify.url, ses: ses.url, ...(dynamodb ? { dynamodb } : {}) },
  });
}

process.on("disconnect", () => void stop(0));
process.on("message", (message: { type?: string }) => {
  if (message.type === "stop") void stop(0);
});
start(JSON.parse(process.argv[2] ?? "{}") as EmulatorHostConfig).catch((error: unknown) => {
  tell({ type: "failed", message: error instanceof Error ? (error.stack ?? error.message) : String(error) });
  void stop(1);
});
