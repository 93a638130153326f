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
  functions,
  routes,
  stateMachines,
} from "../catalog";
import { localAdminIssuer } from "./admin-issuer";
import { createLocalOidcProvider } from "./admin-oidc";
import { consoleMount } from "./console";
import { demoCredentials, demoRewards, demoShop } from "./demo-data";
import { ensureTables, localDynamoDbClientConfig, startDynamoDbLocal } from "./dynamodb";
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
}

export interface LocalStack {
  urls: Record<keyof LocalPorts, string>;
  smaregi: RunningSmaregiEmulator;
  shopify: RunningShopifyEmulator;
  ses: LocalSesServer;
  stepFunctions: LocalStepFunctions;
  environment: Record<string, string>;
  stop(): Promise<void>;
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
  memoryLimitInMB: "1024",
  awsRequestId: crypto.randomUUID(),
  logGroupName: `/aws/lambda/loyalty-local-${name}`,
  logStreamName: "local",
  getRemainingTimeInMillis: () => functions[name].timeoutSeconds * 1000,
  done: () => undefined,
  fail: () => undefined,
  succeed: () => undefined,
});

export async function startLocalStack(options: LocalStackOptions): Promise<LocalStack> {
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
      loadHandler: (name: FunctionName): Promise<LambdaHandler> => loadHandler(name, options.bundleRoot),
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
      SHOPIFY_ADMIN_URL: shopify.url,
      // A Dev Dashboard app's credentials: tokens come from the emulator's client-credentials grant.
      SHOPIFY_ADMIN_CREDENTIALS: JSON.stringify({
        clientId: demoCredentials.shopifyClientId,
        clientSecret: demoCredentials.shopifyAppSecret,
      }),
      SHOPIFY_APP_SECRET: demoCredentials.shopifyAppSecret,
      SMAREGI_CONTRACT_ID: demoCredentials.smaregiContractId,
      SMAREGI_AUTH_URL: smaregi.url,
      SMAREGI_API_URL: smaregi.url,
      SMAREGI_CLIENT_ID: demoCredentials.smaregiClientId,
      SMAREGI_CLIENT_SECRET: demoCredentials.smaregiClientSecret,
      LOYALTY_TABLE: tableNames.loyalty,
      AUDIT_TABLE: tableNames.audit,
      DYNAMODB_ENDPOINT: dynamoEndpoint,
      STEPFUNCTIONS_ENDPOINT: sfnServer.url,
      SES_ENDPOINT: ses.url,
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
          return handler(event, taskContext(fn));
        };
      }
      stepFunctions.registerStateMachine({
        name: `loyalty-local-${name}`,
        definition: readFileSync(new URL(spec.definitionFile, repositoryRoot), "utf8"),
        substitutions,
        taskHandlers,
      });
    }

    return {
      urls: {
        api: gateway.url,
        shopify: shopify.url,
        smaregi: smaregi.url,
        stepFunctions: sfnServer.url,
        ses: ses.url,
        dynamodb: dynamoEndpoint,
      },
      smaregi,
      shopify,
      ses,
      stepFunctions,
      environment,
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}
