import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { CfnOutput, Duration, Fn, Lazy, RemovalPolicy, Stack, type StackProps } from "aws-cdk-lib";
import { AccessLogFormat } from "aws-cdk-lib/aws-apigateway";
import {
  type CfnStage,
  CorsHttpMethod,
  HttpApi,
  HttpMethod,
  type HttpRoute,
  HttpStage,
  LogGroupLogDestination,
} from "aws-cdk-lib/aws-apigatewayv2";
import type { HttpJwtAuthorizer } from "aws-cdk-lib/aws-apigatewayv2-authorizers";
import { HttpLambdaIntegration } from "aws-cdk-lib/aws-apigatewayv2-integrations";
import {
  type Attribute,
  AttributeType,
  BillingMode,
  ProjectionType,
  StreamViewType,
  Table,
  TableEncryption,
} from "aws-cdk-lib/aws-dynamodb";
import { Rule, Schedule } from "aws-cdk-lib/aws-events";
import { LambdaFunction } from "aws-cdk-lib/aws-events-targets";
import { Effect, PolicyStatement } from "aws-cdk-lib/aws-iam";
import type { Code } from "aws-cdk-lib/aws-lambda";
import { LogGroup, RetentionDays } from "aws-cdk-lib/aws-logs";
import { Secret } from "aws-cdk-lib/aws-secretsmanager";
import { EmailIdentity, Identity } from "aws-cdk-lib/aws-ses";
import { DefinitionBody, LogLevel, StateMachine, StateMachineType } from "aws-cdk-lib/aws-stepfunctions";
import type { Construct } from "constructs";
import { consoleAssetDirectory } from "../console/build";
import { auditTable, type KeyAttribute, loyaltyTable, type TableDefinition } from "../shared/tables";
import type { Capability, FunctionName, FunctionSpec, RouteSpec, StateMachineSpec } from "./catalog";
import * as catalog from "./catalog";
import { AdminAuth } from "./constructs/admin-auth";
import { AdminConsole, CONSOLE_PATH } from "./constructs/admin-console";
import { CouponEvents } from "./constructs/coupon-events";
import { LoyaltyFunction, type LoyaltySecrets } from "./constructs/loyalty-function";
import { MailEvents } from "./constructs/mail-events";
import { LoyaltyMonitoring } from "./constructs/monitoring";
import * as operations from "./features/operations";
import type { FunctionSchedule } from "./features/types";
import { acknowledgeNagFindings } from "./nag-suppressions";
import { type Stage, senderIdentity } from "./stage-config";

/** The repository root, from this file's location, so synthesis works from any working directory. */
export const REPOSITORY_ROOT = fileURLToPath(new URL("..", import.meta.url));

/** The parts of the catalog the stack is built from; tests may pass their own. */
export interface LoyaltyCatalog {
  readonly functions: Readonly<Partial<Record<FunctionName, FunctionSpec>>>;
  readonly routes: readonly RouteSpec[];
  readonly stateMachines: Readonly<Record<string, StateMachineSpec>>;
  /**
   * Functions run on a schedule (function name -> every `rateMinutes`). The real catalog's come
   * from `infra/features/operations.ts`, because the catalog's types have no schedule field.
   */
  readonly schedules?: Readonly<Partial<Record<FunctionName, FunctionSchedule>>>;
}

/** The real catalog, with the schedules the operations feature declares beside it. */
const realCatalog: LoyaltyCatalog = { ...catalog, schedules: operations.schedules };

export interface LoyaltyStackProps extends StackProps {
  readonly stage: Stage;
  /** Defaults to the real catalog. */
  readonly catalog?: LoyaltyCatalog;
  /** Where catalog paths (entries, ASL files) are resolved from; defaults to the repository root. */
  readonly projectRoot?: string;
  /** Prebuilt code per function instead of esbuild bundling (tests). */
  readonly functionCode?: (name: FunctionName) => Code;
  /** The built staff console to upload; built from `console/` during synthesis when absent. */
  readonly consoleAssets?: string;
}

const API_LOG_RETENTION = RetentionDays.ONE_MONTH;
const STATE_MACHINE_LOG_RETENTION = RetentionDays.THREE_MONTHS;
/** Headers storefront scripts send: the session token, JSON bodies, idempotent conversions. */
const CORS_ALLOW_HEADERS = ["authorization", "content-type", "idempotency-key"];
/** Headers storefront scripts must read: the 202 status URL and 409's back-off. */
const CORS_EXPOSE_HEADERS = ["location", "retry-after"];

export interface LoyaltyStateMachine {
  readonly machine: StateMachine;
  readonly logGroup: LogGroup;
  /** The functions its tasks invoke, each granted invoke exactly once. */
  readonly tasks: readonly LoyaltyFunction[];
}

export class LoyaltyStack extends Stack {
  readonly stage: Stage;
  readonly functions: Readonly<Record<FunctionName, LoyaltyFunction>>;
  readonly loyaltyTable: Table;
  readonly auditTable: Table;
  /** Custom rewards' coupon events, forwarded from the audit table to an event bus. */
  readonly couponEvents: CouponEvents;
  /** The SES configuration set every email is sent with, and its bounce and complaint metrics. */
  readonly mailEvents: MailEvents;
  /** The SES identity mail is sent from, when the stack manages it (`email.createIdentity`). */
  readonly senderIdentity: EmailIdentity | undefined;
  readonly secrets: LoyaltySecrets;
  /** Shop staff sign-in: the Cognito user pool, its admin console client and role groups. */
  readonly adminAuth: AdminAuth;
  /** The staff console: S3 + CloudFront, `/v1/*` routed to the API. */
  readonly adminConsole: AdminConsole;
  readonly api: HttpApi;
  readonly apiStage: HttpStage;
  readonly apiRoutes: ReadonlyArray<{ readonly spec: RouteSpec; readonly route: HttpRoute }>;
  readonly stateMachines: Readonly<Record<string, LoyaltyStateMachine>>;
  /** EventBridge rules that run scheduled functions, by function name. */
  readonly schedules: Readonly<Partial<Record<FunctionName, Rule>>>;
  readonly monitoring: LoyaltyMonitoring;
  /** The saga `startConversion` functions start, when the catalog has one. */
  readonly conversionStateMachine: StateMachine | undefined;

  constructor(scope: Construct, id: string, props: LoyaltyStackProps) {
    super(scope, id, props);
    const { stage } = props;
    const spec: LoyaltyCatalog = props.catalog ?? realCatalog;
    const projectRoot = props.projectRoot ?? REPOSITORY_ROOT;
    this.stage = stage;

    this.loyaltyTable = tableFrom(this, "LoyaltyTable", loyaltyTable);
    this.auditTable = tableFrom(this, "AuditTable", auditTable);
    this.secrets = createSecrets(this, stage);
    this.mailEvents = new MailEvents(this, "MailEvents", { namePrefix: this.stackName });

    // Task functions must exist before their state machines, and functions that start the
    // conversion saga after it; a function cannot be both without a cycle.
    const specs = new Map(
      Object.entries(spec.functions).flatMap(([name, fn]) =>
        fn ? [[name as FunctionName, fn] as const] : [],
      ),
    );
    const functionNames = [...specs.keys()];
    const specOf = (name: FunctionName) => {
      const fn = specs.get(name);
      if (!fn) throw new Error(`Function ${name} is not in the catalog`);
      return fn;
    };
    // Functions that start or name a saga's executions are built after the state machines.
    const sagaCapabilities: readonly Capability[] = [
      "startConversion",
      "startCancellation",
      "nameConversionExecutions",
    ];
    const startsSaga = (name: FunctionName) =>
      specOf(name).capabilities.some((capability) => sagaCapabilities.includes(capability));
    const built: Partial<Record<FunctionName, LoyaltyFunction>> = {};
    const resources = {
      stage,
      loyaltyTable: this.loyaltyTable,
      auditTable: this.auditTable,
      secrets: this.secrets,
      mailConfigurationSet: this.mailEvents.configurationSet,
    };
    const buildFunction = (
      name: FunctionName,
      sagas: { conversionStateMachine?: StateMachine; cancellationStateMachine?: StateMachine } = {},
    ) => {
      const code = props.functionCode?.(name);
      built[name] = new LoyaltyFunction(this, functionConstructId(name), {
        spec: specOf(name),
        projectRoot,
        resources: { ...resources, ...sagas },
        ...(code ? { code } : {}),
      });
    };
    for (const name of functionNames.filter((name) => !startsSaga(name))) buildFunction(name);

    const stateMachines: Record<string, LoyaltyStateMachine> = {};
    for (const [name, machine] of Object.entries(spec.stateMachines)) {
      stateMachines[name] = this.stateMachine(name, machine, projectRoot, (task) => {
        const fn = built[task];
        if (!fn) {
          throw new Error(`State machine ${name} uses ${task}, which starts a saga or is not in the catalog`);
        }
        return fn;
      });
    }
    this.stateMachines = stateMachines;

    this.conversionStateMachine = stateMachines[catalog.CONVERSION_SAGA]?.machine;
    const cancellationStateMachine = stateMachines[catalog.CANCELLATION_SAGA]?.machine;
    for (const name of functionNames.filter(startsSaga)) {
      buildFunction(name, { conversionStateMachine: this.conversionStateMachine, cancellationStateMachine });
    }
    this.functions = completeRecord(functionNames, built);

    this.senderIdentity = this.mailSender(stage);

    this.couponEvents = new CouponEvents(this, "CouponEvents", {
      auditTable: this.auditTable,
      namePrefix: this.stackName,
    });

    // The console's own URL is only known once its distribution exists (below); the client's
    // callback and sign-out URLs read it lazily, which CloudFormation resolves without a cycle.
    const consoleDomain = Lazy.string({
      produce: () => this.adminConsole.hostName,
    });
    this.adminAuth = new AdminAuth(this, "AdminAuth", {
      namePrefix: this.stackName,
      domainPrefix: stage.config.adminConsole.domainPrefix,
      consoleUrls: [
        `https://${consoleDomain}${CONSOLE_PATH}`,
        ...stage.config.adminConsole.extraOrigins.map((origin) => `${origin}${CONSOLE_PATH}`),
      ],
    });
    const { api, apiStage, apiRoutes } = this.httpApi(spec.routes, stage, this.adminAuth.authorizer);
    this.api = api;
    this.apiStage = apiStage;
    this.apiRoutes = apiRoutes;

    this.adminConsole = new AdminConsole(this, "AdminConsole", {
      assetDirectory:
        props.consoleAssets ?? consoleAssetDirectory(path.join(REPOSITORY_ROOT, ".build", "console")),
      api,
      userPool: this.adminAuth.userPool,
      client: this.adminAuth.client,
      domain: this.adminAuth.domain,
      customDomain: stage.config.adminConsole.customDomain,
    });

    this.schedules = this.scheduleFunctions(spec.schedules ?? {});
    const webhookFunctions = [
      ...new Set(apiRoutes.filter(({ spec }) => spec.auth === "webhook").map(({ spec }) => spec.function)),
    ];
    this.monitoring = new LoyaltyMonitoring(this, "Monitoring", {
      stage,
      namePrefix: this.stackName,
      functions: this.functions,
      stateMachines: Object.fromEntries(
        Object.entries(stateMachines).map(([name, { machine }]) => [name, machine]),
      ),
      api,
      scheduledFunctions: Object.fromEntries(
        Object.keys(this.schedules).flatMap((name) => {
          const schedule = spec.schedules?.[name as FunctionName];
          return schedule ? [[name, { fn: this.functions[name as FunctionName], schedule }]] : [];
        }),
      ),
      webhookFunctions: Object.fromEntries(webhookFunctions.map((name) => [name, this.functions[name]])),
      couponEventDeadLetters: this.couponEvents.deadLetters,
      mailEvents: this.mailEvents,
    });

    new CfnOutput(this, "ApiUrl", {
      value: apiStage.url,
      description: "Base URL of the loyalty HTTP API: the app proxy URL and the extension's fetch base",
    });
    new CfnOutput(this, "LoyaltyTableName", {
      value: this.loyaltyTable.tableName,
      description: "Conversions, coupons, leases and daily totals (indexes byCustomer, byStatus)",
    });
    new CfnOutput(this, "AuditTableName", {
      value: this.auditTable.tableName,
      description: "Append-only audit trail (pk = CONV#<conversionId> or COUPON#<CODE>)",
    });
    new CfnOutput(this, "AdminUserPoolId", {
      value: this.adminAuth.userPool.userPoolId,
      description: "Cognito user pool of shop staff; add users to loyalty-viewer or loyalty-admin",
    });
    new CfnOutput(this, "AdminUserPoolClientId", {
      value: this.adminAuth.client.userPoolClientId,
      description: "App client of the admin console: the audience the admin routes' JWT authorizer accepts",
    });
    new CfnOutput(this, "AdminConsoleUrl", {
      value: this.adminConsole.url,
      description: "The staff console (sign in with a Cognito user of loyalty-viewer or loyalty-admin)",
    });
    new CfnOutput(this, "AdminLoginDomain", {
      value: this.adminAuth.domain.baseUrl(),
      description: "Cognito managed login of the staff console",
    });
    new CfnOutput(this, "AdminIssuer", {
      value: this.adminAuth.issuer,
      description: "Issuer (iss) of admin tokens the HTTP API's JWT authorizer accepts",
    });
    new CfnOutput(this, "CouponEventBusName", {
      value: this.couponEvents.bus.eventBusName,
      description:
        "EventBridge bus of custom rewards' loyalty.coupon.issued / loyalty.coupon.revoked events (source loyalty); add rules here",
    });
    new CfnOutput(this, "AlarmTopicArn", {
      value: this.monitoring.topic.topicArn,
      description: "SNS topic every alarm notifies; confirm the email subscription it sends after deploy",
    });
    new CfnOutput(this, "DashboardName", {
      value: this.monitoring.dashboard.dashboardName,
      description: "CloudWatch dashboard with executions, alerts, API 5xx and POS/Shopify latency",
    });
    for (const [name, { machine }] of Object.entries(stateMachines)) {
      new CfnOutput(this, `${constructId(name)}StateMachineArn`, {
        value: machine.stateMachineArn,
        description: `${spec.stateMachines[name]?.description ?? name}; executions are named after ${spec.stateMachines[name]?.executionName ?? "their subject"}`,
      });
    }
    for (const [key, secretName] of Object.entries(secretNames(stage))) {
      new CfnOutput(this, `${constructId(key)}SecretName`, {
        value: secretName,
        description: "Placeholder until set: aws secretsmanager put-secret-value --secret-id <this name>",
      });
    }

    acknowledgeNagFindings({
      secrets: Object.values(this.secrets),
      functions: this.functions,
      couponEvents: this.couponEvents,
      stateMachines: this.stateMachines,
      apiRoutes: this.apiRoutes,
      root: this,
      adminConsole: {
        distribution: this.adminConsole.distribution,
        bucket: this.adminConsole.bucket,
        customDomain: stage.config.adminConsole.customDomain !== undefined,
      },
    });
  }

  /** One EventBridge rule per scheduled function; a schedule naming no built function fails synthesis. */
  private scheduleFunctions(
    schedules: Readonly<Partial<Record<FunctionName, FunctionSchedule>>>,
  ): Partial<Record<FunctionName, Rule>> {
    const rules: Partial<Record<FunctionName, Rule>> = {};
    for (const [name, schedule] of Object.entries(schedules) as Array<
      [FunctionName, FunctionSchedule | undefined]
    >) {
      if (!schedule) continue;
      const fn: LoyaltyFunction | undefined = this.functions[name];
      if (!fn) throw new Error(`Schedule ${name} names a function that is not in the catalog`);
      if (!Number.isInteger(schedule.rateMinutes) || schedule.rateMinutes < 1) {
        throw new Error(`Schedule ${name}: rateMinutes must be a whole number of minutes, at least 1`);
      }
      // Lambda's own retries of a failed asynchronous run would overlap the next scheduled one.
      fn.function.configureAsyncInvoke({ retryAttempts: 0 });
      rules[name] = new Rule(this, `${constructId(name)}Schedule`, {
        description: `Runs ${name} every ${schedule.rateMinutes} minute(s)`,
        schedule: Schedule.rate(Duration.minutes(schedule.rateMinutes)),
        targets: [
          new LambdaFunction(fn.function, {
            // The next run repeats the work anyway: a late or retried run would only overlap it.
            retryAttempts: 0,
            maxEventAge: Duration.minutes(schedule.rateMinutes),
          }),
        ],
      });
    }
    return rules;
  }

  /** A Standard workflow from its ASL file, each `${Placeholder}` replaced by its function's ARN. */
  /**
   * The sender's SES identity with Easy DKIM: a domain identity is verified once its three DKIM
   * CNAME records (an output) are in DNS; an address identity once its owner clicks the link.
   */
  private mailSender(stage: Stage): EmailIdentity | undefined {
    if (stage.config.email.createIdentity === false) return undefined;
    const name = senderIdentity(stage.config.email);
    const identity = new EmailIdentity(this, "SenderIdentity", {
      identity: name.includes("@") ? Identity.email(name) : Identity.domain(name),
    });
    if (!name.includes("@")) {
      new CfnOutput(this, "SenderDkimRecords", {
        value: Fn.join(
          " ; ",
          identity.dkimRecords.map((record) => Fn.join(" ", [record.name, "CNAME", record.value])),
        ),
        description: `DNS records that verify ${name} for SES (add all three, then wait for SES to verify)`,
      });
    }
    return identity;
  }

  private stateMachine(
    name: string,
    spec: StateMachineSpec,
    projectRoot: string,
    taskFunction: (task: FunctionName) => LoyaltyFunction,
  ): LoyaltyStateMachine {
    const file = path.resolve(projectRoot, spec.definitionFile);
    const definition = readFileSync(file, "utf8");
    checkDefinition(name, spec, definition);

    const id = constructId(name);
    const logGroup = new LogGroup(this, `${id}StateMachineLogs`, {
      // The vendedlogs prefix keeps Step Functions from growing the account's log resource policy.
      logGroupName: `/aws/vendedlogs/states/${this.stackName}-${name}`,
      retention: STATE_MACHINE_LOG_RETENTION,
    });
    const tasks = Object.entries(spec.tasks).map(([placeholder, task]) => ({
      placeholder,
      fn: taskFunction(task),
    }));
    const machine = new StateMachine(this, `${id}StateMachine`, {
      // A readable name operators find in the console; also makes execution ARNs predictable.
      stateMachineName: `${this.stackName}-${name}`,
      stateMachineType: StateMachineType.STANDARD,
      comment: spec.description,
      definitionBody: DefinitionBody.fromString(definition),
      definitionSubstitutions: Object.fromEntries(
        tasks.map(({ placeholder, fn }) => [placeholder, fn.function.functionArn]),
      ),
      // Execution data is logged so operators can follow a conversion without opening history.
      logs: { destination: logGroup, level: LogLevel.ALL, includeExecutionData: true },
      tracingEnabled: true,
    });
    const taskFunctions = [...new Set(tasks.map(({ fn }) => fn))];
    // The ASL calls each function by its unqualified ARN: invoke is granted on exactly those ARNs,
    // not on their versions and aliases (`:*`) as grantInvoke would add.
    machine.addToRolePolicy(
      new PolicyStatement({
        effect: Effect.ALLOW,
        actions: ["lambda:InvokeFunction"],
        resources: taskFunctions.map((fn) => fn.function.functionArn),
      }),
    );
    return { machine, logGroup, tasks: taskFunctions };
  }

  private httpApi(
    routes: readonly RouteSpec[],
    stage: Stage,
    adminAuthorizer: HttpJwtAuthorizer,
  ): {
    api: HttpApi;
    apiStage: HttpStage;
    apiRoutes: Array<{ spec: RouteSpec; route: HttpRoute }>;
  } {
    const methods = [...new Set(routes.map((route) => route.method))];
    const api = new HttpApi(this, "Api", {
      apiName: `${this.stackName}-api`,
      description: "Loyalty points and coupons for the storefront and customer account pages",
      // The stage is created below so that it carries access logs and per-route throttles.
      createDefaultStage: false,
      corsPreflight: {
        allowOrigins: stage.config.storefrontOrigins,
        allowMethods: [...methods.map((method) => CorsHttpMethod[method]), CorsHttpMethod.OPTIONS],
        allowHeaders: CORS_ALLOW_HEADERS,
        exposeHeaders: CORS_EXPOSE_HEADERS,
        maxAge: Duration.hours(1),
      },
    });

    const accessLogs = new LogGroup(this, "ApiAccessLogs", { retention: API_LOG_RETENTION });
    const apiStage = new HttpStage(this, "ApiDefaultStage", {
      httpApi: api,
      stageName: "$default",
      autoDeploy: true,
      accessLogSettings: {
        destination: new LogGroupLogDestination(accessLogs),
        format: AccessLogFormat.custom(
          JSON.stringify({
            requestId: "$context.requestId",
            requestTime: "$context.requestTime",
            ip: "$context.identity.sourceIp",
            userAgent: "$context.identity.userAgent",
            routeKey: "$context.routeKey",
            status: "$context.status",
            protocol: "$context.protocol",
            responseLength: "$context.responseLength",
            responseLatency: "$context.responseLatency",
            integrationLatency: "$context.integrationLatency",
            integrationError: "$context.integrationErrorMessage",
          }),
        ),
      },
    });

    const integrations = new Map<FunctionName, HttpLambdaIntegration>();
    const integrationFor = (name: FunctionName) => {
      let integration = integrations.get(name);
      if (!integration) {
        // `functions` is only as complete as the catalog passed in.
        const fn: LoyaltyFunction | undefined = this.functions[name];
        if (!fn) throw new Error(`A route uses function ${name}, which is not in the catalog`);
        integration = new HttpLambdaIntegration(`${constructId(name)}Integration`, fn.function);
        integrations.set(name, integration);
      }
      return integration;
    };

    const apiRoutes = routes.map((spec) => {
      const [route] = api.addRoutes({
        path: spec.path,
        methods: [HttpMethod[spec.method]],
        integration: integrationFor(spec.function),
        // Customer, webhook and public routes authenticate in the function (see RouteAuth).
        ...(isAdminRoute(spec) ? { authorizer: adminAuthorizer } : {}),
      });
      if (!route) throw new Error(`Route ${routeKey(spec)} was not created`);
      return { spec, route };
    });

    // HTTP APIs throttle per route only through the stage's RouteSettings, keyed by route key.
    // The property is untyped JSON, so the keys are written as CloudFormation spells them.
    const cfnStage = apiStage.node.defaultChild as CfnStage;
    cfnStage.routeSettings = Object.fromEntries(
      routes.map((route) => [
        routeKey(route),
        { ThrottlingRateLimit: route.throttle.rate, ThrottlingBurstLimit: route.throttle.burst },
      ]),
    );
    // Route settings may only name routes that already exist.
    for (const { route } of apiRoutes) apiStage.node.addDependency(route);

    return { api, apiStage, apiRoutes };
  }
}

/** Routes for shop staff: the gateway checks their Cognito JWT before the function runs. */
export function isAdminRoute(route: Pick<RouteSpec, "auth">): boolean {
  return route.auth === "admin:viewer" || route.auth === "admin:admin";
}

export function routeKey(route: Pick<RouteSpec, "method" | "path">): string {
  return `${route.method} ${route.path}`;
}

/** `points` -> `PointsFunction`; stable construct ids keep logical ids stable across edits. */
export function functionConstructId(name: FunctionName): string {
  return `${constructId(name)}Function`;
}

function constructId(name: string): string {
  return name.charAt(0).toUpperCase() + name.slice(1);
}

function tableFrom(scope: Construct, id: string, definition: TableDefinition): Table {
  const table = new Table(scope, id, {
    partitionKey: attribute(definition.partitionKey),
    sortKey: attribute(definition.sortKey),
    billingMode:
      definition.billingMode === "PAY_PER_REQUEST" ? BillingMode.PAY_PER_REQUEST : BillingMode.PROVISIONED,
    encryption: TableEncryption.AWS_MANAGED,
    pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
    deletionProtection: true,
    removalPolicy: RemovalPolicy.RETAIN,
    ...(definition.timeToLiveAttribute ? { timeToLiveAttribute: definition.timeToLiveAttribute } : {}),
    ...(definition.stream ? { stream: StreamViewType.NEW_IMAGE } : {}),
  });
  for (const index of definition.globalIndexes) {
    table.addGlobalSecondaryIndex({
      indexName: index.indexName,
      partitionKey: attribute(index.partitionKey),
      sortKey: attribute(index.sortKey),
      projectionType: ProjectionType.ALL,
    });
  }
  return table;
}

function attribute(key: KeyAttribute): Attribute {
  return { name: key.name, type: key.type === "S" ? AttributeType.STRING : AttributeType.NUMBER };
}

/** The Secrets Manager names the stack creates for a stage; operators fill them after deploy. */
export function secretNames(stage: Stage): Readonly<Record<keyof LoyaltySecrets, string>> {
  const name = (suffix: string) => `loyalty/${stage.name}/${suffix}`;
  return {
    shopifyAdminCredentials: name("shopify-admin-credentials"),
    shopifyAppSecret: name("shopify-app-secret"),
    smaregiCredentials: name("smaregi-credentials"),
  };
}

/** Secrets are created with generated placeholders; operators put the real values after deploy. */
function createSecrets(scope: Stack, stage: Stage): LoyaltySecrets {
  const names = secretNames(stage);
  const howToSet = "Set it after deploy with `aws secretsmanager put-secret-value`; never commit it.";
  return {
    shopifyAdminCredentials: new Secret(scope, "ShopifyAdminCredentials", {
      secretName: names.shopifyAdminCredentials,
      description: `Shopify Admin API credentials of the loyalty app for ${stage.config.shopDomain}, as JSON {"clientId": "...", "clientSecret": "..."} (a Dev Dashboard app; tokens come from the client-credentials grant) or {"accessToken": "shpat_..."} (an old custom app). The generated value is a placeholder. ${howToSet}`,
      removalPolicy: RemovalPolicy.RETAIN,
    }),
    shopifyAppSecret: new Secret(scope, "ShopifyAppSecret", {
      secretName: names.shopifyAppSecret,
      description: `Client secret of the Shopify app (verifies session tokens, app proxy and webhook signatures). The generated value is a placeholder. ${howToSet}`,
      removalPolicy: RemovalPolicy.RETAIN,
    }),
    smaregiCredentials: new Secret(scope, "SmaregiCredentials", {
      secretName: names.smaregiCredentials,
      description: `Smaregi Platform API client credentials for contract ${stage.config.smaregi.contractId}, as JSON {"clientId": "...", "clientSecret": "..."}. Both generated values are placeholders. ${howToSet}`,
      generateSecretString: {
        secretStringTemplate: JSON.stringify({ clientId: "placeholder-set-after-deploy" }),
        generateStringKey: "clientSecret",
        excludePunctuation: true,
      },
      removalPolicy: RemovalPolicy.RETAIN,
    }),
  };
}

/** Fails synthesis when the ASL and the catalog's task map disagree, naming the placeholder. */
function checkDefinition(name: string, spec: StateMachineSpec, definition: string): void {
  try {
    JSON.parse(definition);
  } catch (error) {
    throw new Error(`State machine ${name}: ${spec.definitionFile} is not valid JSON`, { cause: error });
  }
  const used = new Set([...definition.matchAll(/\$\{([A-Za-z0-9_]+)\}/g)].map((match) => match[1]));
  const mapped = new Set(Object.keys(spec.tasks));
  const missing = [...used].filter((placeholder) => placeholder !== undefined && !mapped.has(placeholder));
  const unused = [...mapped].filter((placeholder) => !used.has(placeholder));
  if (missing.length > 0 || unused.length > 0) {
    throw new Error(
      `State machine ${name} (${spec.definitionFile}): ` +
        [
          missing.length > 0 ? `placeholders without a task function: ${missing.join(", ")}` : "",
          unused.length > 0 ? `tasks not used in the ASL: ${unused.join(", ")}` : "",
        ]
          .filter(Boolean)
          .join("; "),
    );
  }
}

function completeRecord(
  names: readonly FunctionName[],
  built: Partial<Record<FunctionName, LoyaltyFunction>>,
): Record<FunctionName, LoyaltyFunction> {
  const entries = names.map((name) => {
    const fn = built[name];
    if (!fn) throw new Error(`Function ${name} was not built`);
    return [name, fn] as const;
  });
  return Object.fromEntries(entries) as Record<FunctionName, LoyaltyFunction>;
}
