import "./polyfills";
import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocument } from "@aws-sdk/lib-dynamodb";
import type { Context } from "aws-lambda";
import { DynamoRewardStore } from "../../shared/adapters/dynamodb/rewards";
import { openApi } from "../../shared/api";
import { seedRewards } from "../../shared/rewards/seed";
import { localTableNames, type TableNames, tableDefinitions } from "../../shared/tables";
import { BUNDLE_FILE, bundleFunctions } from "../bundling";
import {
  CANCELLATION_SAGA,
  CONVERSION_SAGA,
  type FunctionName,
  functionMemoryMb,
  functions,
  routes,
  stateMachines,
} from "../catalog";
import { localAdminIssuer } from "./admin-issuer";
import { createLocalOidcProvider } from "./admin-oidc";
import { consoleMount } from "./console";
import { demoCredentials, demoRewards, demoShop } from "./demo-data";
import { ensureTables, localDynamoDbClientConfig, startDynamoDbLocal } from "./dynamodb";
import { type CapacityMeter, capacityMeterAt, startCapacityProxy } from "./dynamodb-capacity";
import { type EmulatorProcess, startEmulatorProcess } from "./emulation/process";
import type { RunningServer } from "./emulation/serve";
import { importWithOwnEnvironment } from "./function-environment";
import { type LambdaHandler, startLocalGateway } from "./gateway";
import { type LocalSesServer, startLocalSes } from "./ses";
import { type RunningShopifyEmulator, startShopifyEmulator } from "./shopify";
import { type RunningSmaregiEmulator, startSmaregiEmulator } from "./smaregi";
import {
  createLocalStepFunctions,
  type LocalStepFunctions,
  startLocalStepFunctionsServer,
} from "./stepfunctions";

/**
 * The whole service on one machine: DynamoDB Local, the Shopify and Smaregi emulators, a Step
 * Functions endpoint running the real ASL, and the API gateway in front of the real handlers.
 * Used by `npm start`, the end-to-end tests and the benchmark.
 *
 * The gateway, the handlers and the Step Functions runner always run in this process (they stand
 * for the AWS services our code runs in). The Shopify, Smaregi and SES emulators run here too, or,
 * with `emulators: "child-process"`, in a Node process of their own (the bench: their work then
 * does not compete with the API for this event loop).
 */

export interface LocalPorts {
  api: number;
  shopify: number;
  smaregi: number;
  stepFunctions: number;
  ses: number;
  dynamodb: number;
}

export const defaultPorts: LocalPorts = {
  api: 3000,
  shopify: 3001,
  smaregi: 3002,
  stepFunctions: 3003,
  ses: 3004,
  dynamodb: 8000,
};

export interface LocalStackOptions {
  ports: LocalPorts;
  latencyProfile: "none" | "seed";
  /** Use an already running DynamoDB (tests share one); otherwise DynamoDB Local is started. */
  dynamoEndpoint?: string;
  tableNames?: TableNames;
  /** Scales Retry/Wait pauses of the state machines (tests use a small factor). */
  waitTimeScale?: number;
  /** Extra environment for the handlers (e.g. shorter timeouts in tests). */
  environment?: Record<string, string>;
  /**
   * Run every function from its deployable bundle, `<bundleRoot>/<function>/index.mjs` (see
   * `buildLocalBundles`), instead of the TypeScript sources.
   */
  bundleRoot?: string;
  /**
   * Where the Shopify, Smaregi and SES emulators run: `in-process` (default; `stack.smaregi`,
   * `stack.shopify` and `stack.ses` hold them) or `child-process` (a Node process of their own,
   * reached over HTTP at `stack.urls`; see `emulation/process.ts`).
   */
  emulators?: "in-process" | "child-process";
  /**
   * Called after every function invocation, an API route's or a Step Functions task's, with its
   * duration (the bench's cost model). Module loading is not part of an invocation.
   */
  onInvocation?: (invocation: FunctionInvocation) => void;
  /**
   * The handlers reach DynamoDB through a proxy that counts the capacity DynamoDB Local reports
   * (`dynamodb-capacity.ts`), read at `stack.capacity`. The proxy runs beside the emulators.
   */
  countDynamoDbCapacity?: boolean;
}

/** One handler invocation, as the measuring hook (`onInvocation`) sees it. */
export interface FunctionInvocation {
  function: FunctionName;
  /** `api`: behind a gateway route; `task`: a Step Functions task. */
  trigger: "api" | "task";
  /** When the handler was called, epoch milliseconds. */
  startedAt: number;
  /** Until its promise settled, milliseconds (fractional). */
  durationMs: number;
  /** False when the handler threw (a task's function error, or a crashed route). */
  ok: boolean;
}

interface LocalStackCommon {
  urls: Record<keyof LocalPorts, string>;
  stepFunctions: LocalStepFunctions;
  environment: Record<string, string>;
  /** The DynamoDB capacity counts, when `countDynamoDbCapacity` was set. */
  capacity?: CapacityMeter;
  stop(): Promise<void>;
}

export interface LocalStack extends LocalStackCommon {
  smaregi: RunningSmaregiEmulator;
  shopify: RunningShopifyEmulator;
  ses: LocalSesServer;
}

/** The stack with `emulators: "child-process"`: the emulators are reached over HTTP only. */
export interface LocalStackWithEmulatorProcess extends LocalStackCommon {
  emulatorProcess: { pid: number };
}

const REGION = "ap-northeast-1";
const ACCOUNT = "000000000000";
const functionArn = (name: FunctionName) =>
  `arn:aws:lambda:${REGION}:${ACCOUNT}:function:loyalty-local-${name}`;
export const stateMachineArn = (name: string) =>
  `arn:aws:states:${REGION}:${ACCOUNT}:stateMachine:loyalty-local-${name}`;

const repositoryRoot = new URL("../../", import.meta.url);

/** Builds every catalog function's bundle as CDK ships it, into `<outputRoot>/<function>/`. */
export async function buildLocalBundles(outputRoot: string): Promise<void> {
  await bundleFunctions(fileURLToPath(repositoryRoot), functions, outputRoot);
}

/**
 * Imports a function's module: its bundle when the stack runs bundles, else its source. Each
 * bundle is a module graph of its own, as each Lambda has its own process.
 */
function functionModuleUrl(name: FunctionName, bundleRoot: string | undefined): string {
  if (bundleRoot) return pathToFileURL(path.join(bundleRoot, name, BUNDLE_FILE)).href;
  return new URL(functions[name].entry, repositoryRoot).href;
}

async function loadHandler<Event, Result>(
  name: FunctionName,
  bundleRoot: string | undefined,
): Promise<(event: Event, context: Context) => Promise<Result>> {
  type HandlerModule = { handler?: (event: Event, context: Context) => Promise<Result> };
  const url = functionModuleUrl(name, bundleRoot);
  // A bundle is a module graph of its own, so it gets only its capabilities' variables, as in AWS.
  // The sources share one graph (and one parsed configuration), so they see every variable.
  const module = bundleRoot
    ? await importWithOwnEnvironment<HandlerModule>(url, functions[name].capabilities)
    : ((await import(url)) as HandlerModule);
  if (typeof module.handler !== "function") throw new Error(`Function ${name} exports no handler`);
  return module.handler;
}

/** A Lambda context good enough for task handlers run in-process. */
const taskContext = (name: FunctionName): Context => ({
  callbackWaitsForEmptyEventLoop: false,
  functionName: `loyalty-local-${name}`,
  functionVersion: "$LATEST",
  invokedFunctionArn: functionArn(name),
  memoryLimitInMB: String(functionMemoryMb(functions[name])),
  awsRequestId: crypto.randomUUID(),
  logGroupName: `/aws/lambda/loyalty-local-${name}`,
  logStreamName: "local",
  getRemainingTimeInMillis: () => functions[name].timeoutSeconds * 1000,
  done: () => undefined,
  fail: () => undefined,
  succeed: () => undefined,
});

/** Wraps a handler so each call is reported to `onInvocation`. */
function measured<Event, Result>(
  name: FunctionName,
  trigger: FunctionInvocation["trigger"],
  handler: (event: Event, context: Context) => Promise<Result>,
  onInvocation: ((invocation: FunctionInvocation) => void) | undefined,
): (event: Event, context: Context) => Promise<Result> {
  if (!onInvocation) return handler;
  return async (event, context) => {
    const startedAt = Date.now();
    const started = performance.now();
    let ok = false;
    try {
      const result = await handler(event, context);
      ok = true;
      return result;
    } finally {
      onInvocation({ function: name, trigger, startedAt, durationMs: performance.now() - started, ok });
    }
  };
}

export function startLocalStack(
  options: LocalStackOptions & { emulators: "child-process" },
): Promise<LocalStackWithEmulatorProcess>;
export function startLocalStack(
  options: LocalStackOptions & { emulators?: "in-process" },
): Promise<LocalStack>;
export async function startLocalStack(
  options: LocalStackOptions,
): Promise<LocalStack | LocalStackWithEmulatorProcess> {
  const stops: Array<() => Promise<void>> = [];
  const stop = async () => {
    for (const close of stops.reverse()) await close().catch(() => undefined);
  };
  try {
    const tableNames = options.tableNames ?? localTableNames;
    let dynamoEndpoint = options.dynamoEndpoint;
    if (!dynamoEndpoint) {
      const dynamo = await startDynamoDbLocal({ port: options.ports.dynamodb });
      stops.push(() => dynamo.stop());
      dynamoEndpoint = dynamo.endpoint;
    }
    const dynamoClient = new DynamoDBClient(localDynamoDbClientConfig(dynamoEndpoint));
    await ensureTables(dynamoClient, tableDefinitions, tableNames);
    await seedRewards(
      new DynamoRewardStore({
        client: DynamoDBDocument.from(dynamoClient),
        tableName: tableNames.loyalty,
      }),
      demoRewards,
      { shopCurrency: demoShop.currency, dailyLimit: 10_000 },
      new Date(),
    );
    dynamoClient.destroy();

    // First, so the Shopify emulator knows where to deliver webhooks; handlers load on first use,
    // after the environment below is in place.
    const gateway = await startLocalGateway({
      port: options.ports.api,
      routes,
      loadHandler: async (name: FunctionName): Promise<LambdaHandler> =>
        measured(name, "api", await loadHandler(name, options.bundleRoot), options.onInvocation),
      adminAuthorizer: localAdminIssuer,
      // The staff console at /admin/ and the admin issuer's OIDC endpoints, on the API's origin.
      mounts: (() => {
        const issuer = createLocalOidcProvider();
        return [issuer, consoleMount(issuer)];
      })(),
      staticRoutes: {
        "/openapi.json": () => ({
          contentType: "application/json",
          body: JSON.stringify(openApi(), null, 2),
        }),
      },
    });
    stops.push(() => gateway.close());

    let inProcess: Pick<LocalStack, "smaregi" | "shopify" | "ses"> | undefined;
    let emulatorProcess: EmulatorProcess | undefined;
    let emulatorUrls: { smaregi: string; shopify: string; ses: string };
    let handlerDynamoEndpoint = dynamoEndpoint;
    let capacity: CapacityMeter | undefined;
    if (options.emulators === "child-process") {
      emulatorProcess = await startEmulatorProcess({
        latencyProfile: options.latencyProfile,
        ports: { shopify: options.ports.shopify, smaregi: options.ports.smaregi, ses: options.ports.ses },
        webhookUrl: `${gateway.url}/v1/webhooks/shopify`,
        storefrontApiUrl: gateway.url,
        ...(options.countDynamoDbCapacity ? { capacityProxyTarget: dynamoEndpoint } : {}),
      });
      stops.push(() => emulatorProcess?.stop() ?? Promise.resolve());
      emulatorUrls = emulatorProcess.urls;
      if (emulatorProcess.urls.dynamodb) {
        handlerDynamoEndpoint = emulatorProcess.urls.dynamodb;
        capacity = capacityMeterAt(emulatorProcess.urls.dynamodb);
      }
    } else {
      const smaregi = await startSmaregiEmulator({
        port: options.ports.smaregi,
        latencyProfile: options.latencyProfile,
      });
      stops.push(() => smaregi.close());
      const shopify = await startShopifyEmulator({
        port: options.ports.shopify,
        latencyProfile: options.latencyProfile,
        webhookUrl: `${gateway.url}/v1/webhooks/shopify`,
        storefront: { apiUrl: gateway.url },
      });
      stops.push(() => shopify.close());

      const ses = await startLocalSes({ port: options.ports.ses });
      stops.push(() => ses.close());
      inProcess = { smaregi, shopify, ses };
      emulatorUrls = { smaregi: smaregi.url, shopify: shopify.url, ses: ses.url };
      if (options.countDynamoDbCapacity) {
        const proxy = await startCapacityProxy({ target: dynamoEndpoint, port: 0 });
        stops.push(() => proxy.close());
        handlerDynamoEndpoint = proxy.url;
        capacity = capacityMeterAt(proxy.url);
      }
    }

    const stepFunctions = createLocalStepFunctions({
      region: REGION,
      accountId: ACCOUNT,
      waitTimeScale: options.waitTimeScale ?? 1,
    });
    const sfnServer: RunningServer = await startLocalStepFunctionsServer({
      port: options.ports.stepFunctions,
      service: stepFunctions,
    });
    stops.push(() => sfnServer.close());

    const environment: Record<string, string> = {
      STAGE: "local",
      AWS_REGION: REGION,
      AWS_ACCESS_KEY_ID: "local",
      AWS_SECRET_ACCESS_KEY: "local",
      POWERTOOLS_METRICS_DISABLED: "true",
      POWERTOOLS_LOG_LEVEL: process.env.POWERTOOLS_LOG_LEVEL ?? "WARN",
      SHOP_DOMAIN: demoShop.domain,
      SHOPIFY_ADMIN_URL: emulatorUrls.shopify,
      // A Dev Dashboard app's credentials: tokens come from the emulator's client-credentials grant.
      SHOPIFY_ADMIN_CREDENTIALS: JSON.stringify({
        clientId: demoCredentials.shopifyClientId,
        clientSecret: demoCredentials.shopifyAppSecret,
      }),
      SHOPIFY_APP_SECRET: demoCredentials.shopifyAppSecret,
      SMAREGI_CONTRACT_ID: demoCredentials.smaregiContractId,
      SMAREGI_AUTH_URL: emulatorUrls.smaregi,
      SMAREGI_API_URL: emulatorUrls.smaregi,
      SMAREGI_CLIENT_ID: demoCredentials.smaregiClientId,
      SMAREGI_CLIENT_SECRET: demoCredentials.smaregiClientSecret,
      LOYALTY_TABLE: tableNames.loyalty,
      AUDIT_TABLE: tableNames.audit,
      DYNAMODB_ENDPOINT: handlerDynamoEndpoint,
      STEPFUNCTIONS_ENDPOINT: sfnServer.url,
      SES_ENDPOINT: emulatorUrls.ses,
      CONVERT_STATE_MACHINE_ARN: stateMachineArn(CONVERSION_SAGA),
      CANCEL_STATE_MACHINE_ARN: stateMachineArn(CANCELLATION_SAGA),
      ADMIN_EMAIL: "ops@example.com",
      ...options.environment,
    };
    // Handlers parse the environment when first imported, which happens after this point.
    Object.assign(process.env, environment);

    for (const [name, spec] of Object.entries(stateMachines)) {
      const substitutions: Record<string, string> = {};
      const taskHandlers: Record<string, (event: unknown) => Promise<unknown>> = {};
      for (const [placeholder, fn] of Object.entries(spec.tasks)) {
        substitutions[placeholder] = functionArn(fn);
        taskHandlers[functionArn(fn)] = async (event) => {
          const handler = await loadHandler<unknown, unknown>(fn, options.bundleRoot);
          return measured(fn, "task", handler, options.onInvocation)(event, taskContext(fn));
        };
      }
      stepFunctions.registerStateMachine({
        name: `loyalty-local-${name}`,
        definition: readFileSync(new URL(spec.definitionFile, repositoryRoot), "utf8"),
        substitutions,
        taskHandlers,
      });
    }

    const common: LocalStackCommon = {
      urls: {
        api: gateway.url,
        shopify: emulatorUrls.shopify,
        smaregi: emulatorUrls.smaregi,
        stepFunctions: sfnServer.url,
        ses: emulatorUrls.ses,
        dynamodb: dynamoEndpoint,
      },
      stepFunctions,
      environment,
      ...(capacity ? { capacity } : {}),
      stop,
    };
    if (inProcess) return { ...common, ...inProcess };
    if (!emulatorProcess) throw new Error("No emulators were started");
    return { ...common, emulatorProcess: { pid: emulatorProcess.pid } };
  } catch (error) {
    await stop();
    throw error;
  }
}
