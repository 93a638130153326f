import path from "node:path";
import { Duration, Stack } from "aws-cdk-lib";
import type { ITable } from "aws-cdk-lib/aws-dynamodb";
import { Effect, PolicyStatement, Role, ServicePrincipal } from "aws-cdk-lib/aws-iam";
import { Architecture, Code, Runtime, Tracing } from "aws-cdk-lib/aws-lambda";
import { NodejsFunction } from "aws-cdk-lib/aws-lambda-nodejs";
import { LogGroup, RetentionDays } from "aws-cdk-lib/aws-logs";
import type { ISecret } from "aws-cdk-lib/aws-secretsmanager";
import type { IConfigurationSet } from "aws-cdk-lib/aws-ses";
import type { StateMachine } from "aws-cdk-lib/aws-stepfunctions";
import { Construct } from "constructs";
import { LEASE_KEY_PREFIX, WEBHOOK_KEY_PREFIX } from "../../shared/adapters/dynamodb/keys";
import type { Environment } from "../../shared/config";
import { loyaltyTable as loyaltyTableDefinition } from "../../shared/tables";
import { BUNDLE_HANDLER, bundleFunctionSync, bundleOutputRoot } from "../bundling";
import { type Capability, type FunctionSpec, functionMemoryMb } from "../catalog";
import { type Stage, senderIdentity, smaregiUrls } from "../stage-config";

/** The secrets a capability may be granted; the stack creates them empty for operators to fill. */
export interface LoyaltySecrets {
  readonly shopifyAdminCredentials: ISecret;
  readonly shopifyAppSecret: ISecret;
  /** JSON `{"clientId": "...", "clientSecret": "..."}`. */
  readonly smaregiCredentials: ISecret;
}

/** Everything a capability can be bound to. */
export interface LoyaltyResources {
  readonly stage: Stage;
  readonly loyaltyTable: ITable;
  readonly auditTable: ITable;
  readonly secrets: LoyaltySecrets;
  /** The SES configuration set every email is sent with (bounce and complaint metrics). */
  readonly mailConfigurationSet: IConfigurationSet;
  /** Only needed by functions with `startConversion`; created after the saga's task functions. */
  readonly conversionStateMachine?: StateMachine;
  readonly cancellationStateMachine?: StateMachine;
}

export interface LoyaltyFunctionProps {
  readonly spec: FunctionSpec;
  /** Directory the catalog's repo-relative `entry` paths are resolved from. */
  readonly projectRoot: string;
  readonly resources: LoyaltyResources;
  /**
   * Prebuilt code (handler `index.handler`) instead of the bundle of `entry`; tests use it so
   * they neither need the handler files nor spend seconds bundling.
   */
  readonly code?: Code;
}

export const SERVICE_NAME = "loyalty";
export const METRICS_NAMESPACE = "Loyalty";
export const FUNCTION_LOG_RETENTION = RetentionDays.ONE_MONTH;
/** What `loyaltyTableRead` allows on the loyalty table and on each of its named indexes. */
export const LOYALTY_TABLE_READ_ACTIONS = ["dynamodb:GetItem", "dynamodb:Query"];
/** What `loyaltyTableWrite` allows on the loyalty table's items (see the binding below). */
export const LOYALTY_TABLE_WRITE_ACTIONS = ["dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:GetItem"];
/**
 * The only loyalty items the code deletes, by the capability that may delete them: a conversion's
 * lease once it ends, and a webhook delivery's claim when its processing failed (so Shopify's retry
 * runs again). Each delete is granted on its key prefix only (`dynamodb:LeadingKeys`).
 */
export const DELETABLE_KEY_PREFIXES = {
  releaseLease: LEASE_KEY_PREFIX,
  releaseWebhookClaim: WEBHOOK_KEY_PREFIX,
} as const satisfies Partial<Record<Capability, string>>;

/** Names the handlers read (checked against shared/config.ts) plus the runtime's own. */
type EnvironmentName =
  | keyof Environment
  | "POWERTOOLS_SERVICE_NAME"
  | "POWERTOOLS_METRICS_NAMESPACE"
  | "POWERTOOLS_LOG_LEVEL"
  | "NODE_OPTIONS";
type FunctionEnvironment = Partial<Record<EnvironmentName, string>>;

/**
 * The house Lambda: Node.js 22 on ARM64, the project's one bundle build (`infra/bundling.ts`:
 * minified ESM, names kept, source maps), X-Ray tracing, a log group
 * with retention, Powertools settings, and an own role. Each catalog capability becomes its grants
 * and the environment variables that name what was granted, in one place, so a function can never
 * hold a permission without knowing the resource or the other way round.
 */
export class LoyaltyFunction extends Construct {
  readonly spec: FunctionSpec;
  readonly function: NodejsFunction;
  readonly logGroup: LogGroup;
  readonly role: Role;

  constructor(scope: Construct, id: string, props: LoyaltyFunctionProps) {
    super(scope, id);
    const { spec, resources } = props;
    this.spec = spec;

    this.logGroup = new LogGroup(this, "Logs", { retention: FUNCTION_LOG_RETENTION });

    // An own role instead of the AWS managed basic execution policy, so log writes are scoped
    // to this function's log group.
    this.role = new Role(this, "Role", {
      assumedBy: new ServicePrincipal("lambda.amazonaws.com"),
      description: `Execution role: ${spec.description}`.slice(0, 1000),
    });
    this.logGroup.grantWrite(this.role);

    const environment: FunctionEnvironment = {
      ...sharedEnvironment(resources.stage),
      ...bindCapabilities(this, spec.capabilities, resources),
    };

    this.function = new NodejsFunction(this, "Function", {
      description: spec.description,
      runtime: Runtime.NODEJS_22_X,
      architecture: Architecture.ARM_64,
      timeout: Duration.seconds(spec.timeoutSeconds),
      memorySize: functionMemoryMb(spec),
      role: this.role,
      logGroup: this.logGroup,
      tracing: Tracing.ACTIVE,
      environment: definedOnly(environment),
      code: props.code ?? bundledCode(props.projectRoot, spec, Stack.of(this).stackName, id),
      handler: BUNDLE_HANDLER,
    });
  }
}

/**
 * The function's bundle, built by the same code `npm start -- --bundled` and the bundle tests use
 * (not NodejsFunction's own esbuild invocation), so the asset is exactly what was tested.
 */
function bundledCode(projectRoot: string, spec: FunctionSpec, stackName: string, id: string): Code {
  const directory = path.join(bundleOutputRoot(projectRoot, "cdk"), stackName, id);
  return Code.fromAsset(bundleFunctionSync(projectRoot, spec, directory).directory);
}

function sharedEnvironment(stage: Stage): FunctionEnvironment {
  const { config } = stage;
  const smaregi = smaregiUrls(config.smaregi.environment);
  return {
    STAGE: stage.name,
    SERVICE_NAME: SERVICE_NAME,
    SHOP_DOMAIN: config.shopDomain,
    SHOPIFY_API_VERSION: config.shopifyApiVersion,
    SHOP_TIMEZONE: config.shopTimeZone,
    DEFAULT_LOCALE: config.defaultLocale,
    SMAREGI_CONTRACT_ID: config.smaregi.contractId,
    SMAREGI_AUTH_URL: smaregi.authUrl,
    SMAREGI_API_URL: smaregi.apiUrl,
    SMAREGI_MEMBER_FIELD: config.smaregi.memberField,
    POINTS_UNIT: String(config.rules.pointsUnit),
    POINTS_MINIMUM: String(config.rules.pointsMinimum),
    DAILY_POINTS_LIMIT: String(config.rules.dailyPointsLimit),
    YEN_PER_POINT: String(config.rules.yenPerPoint),
    COUPON_VALIDITY_DAYS: String(config.rules.couponValidityDays),
    ...(config.rules.currency ? { CURRENCY: config.rules.currency } : {}),
    POWERTOOLS_SERVICE_NAME: SERVICE_NAME,
    POWERTOOLS_METRICS_NAMESPACE: METRICS_NAMESPACE,
    POWERTOOLS_LOG_LEVEL: config.logLevel,
    NODE_OPTIONS: "--enable-source-maps",
  };
}

/** Grants each capability to the role and returns the variables that name the granted resources. */
function bindCapabilities(
  scope: LoyaltyFunction,
  capabilities: readonly Capability[],
  resources: LoyaltyResources,
): FunctionEnvironment {
  const role = scope.role;
  const environment: FunctionEnvironment = {};
  for (const capability of capabilities) {
    switch (capability) {
      case "pos":
        resources.secrets.smaregiCredentials.grantRead(role);
        environment.SMAREGI_CREDENTIALS_SECRET_ID = resources.secrets.smaregiCredentials.secretArn;
        break;
      case "shopify":
        resources.secrets.shopifyAdminCredentials.grantRead(role);
        environment.SHOPIFY_ADMIN_CREDENTIALS_SECRET_ID = resources.secrets.shopifyAdminCredentials.secretArn;
        break;
      case "shopifyAppSecret":
        resources.secrets.shopifyAppSecret.grantRead(role);
        environment.SHOPIFY_APP_SECRET_SECRET_ID = resources.secrets.shopifyAppSecret.secretArn;
        break;
      case "loyaltyTableRead":
        // What the stores call: GetItem and Query (no Scan, BatchGetItem or stream reads), on the
        // table and on each index by name, never `index/*`.
        role.addToPrincipalPolicy(
          new PolicyStatement({
            effect: Effect.ALLOW,
            actions: LOYALTY_TABLE_READ_ACTIONS,
            resources: [resources.loyaltyTable.tableArn, ...loyaltyIndexArns(resources.loyaltyTable)],
          }),
        );
        environment.LOYALTY_TABLE = resources.loyaltyTable.tableName;
        break;
      case "loyaltyTableWrite":
        // Items only, never its indexes (nothing writes to an index). Every write in the store is
        // conditional, and an idempotent retry reads back the item its condition collided with
        // (e.g. a coupon put by an earlier attempt), hence GetItem; UpdateItem's ReturnValues
        // already expose whole items to a writer, so it reveals nothing more. Deletes are the
        // release capabilities' alone.
        role.addToPrincipalPolicy(
          new PolicyStatement({
            effect: Effect.ALLOW,
            actions: LOYALTY_TABLE_WRITE_ACTIONS,
            resources: [resources.loyaltyTable.tableArn],
          }),
        );
        environment.LOYALTY_TABLE = resources.loyaltyTable.tableName;
        break;
      case "releaseLease":
      case "releaseWebhookClaim":
        role.addToPrincipalPolicy(
          new PolicyStatement({
            effect: Effect.ALLOW,
            actions: ["dynamodb:DeleteItem"],
            resources: [resources.loyaltyTable.tableArn],
            conditions: {
              "ForAllValues:StringLike": {
                "dynamodb:LeadingKeys": [`${DELETABLE_KEY_PREFIXES[capability]}*`],
              },
            },
          }),
        );
        environment.LOYALTY_TABLE = resources.loyaltyTable.tableName;
        break;
      case "auditAppend":
        // Append-only: history can be added to, never changed or removed.
        role.addToPrincipalPolicy(
          new PolicyStatement({
            effect: Effect.ALLOW,
            actions: ["dynamodb:PutItem"],
            resources: [resources.auditTable.tableArn],
          }),
        );
        environment.AUDIT_TABLE = resources.auditTable.tableName;
        break;
      case "auditRead":
        role.addToPrincipalPolicy(
          new PolicyStatement({
            effect: Effect.ALLOW,
            actions: ["dynamodb:GetItem", "dynamodb:Query"],
            resources: [resources.auditTable.tableArn],
          }),
        );
        environment.AUDIT_TABLE = resources.auditTable.tableName;
        break;
      case "startConversion": {
        const saga = resources.conversionStateMachine;
        if (!saga) {
          throw new Error(
            `Function ${scope.node.id} needs startConversion but no conversion state machine is in the catalog`,
          );
        }
        // StartExecution only: the API learns the outcome from the conversion record the saga
        // updates, and a replayed start is answered by the execution name, never by reading it.
        saga.grantStartExecution(role);
        environment.CONVERT_STATE_MACHINE_ARN = saga.stateMachineArn;
        break;
      }
      case "nameConversionExecutions": {
        const saga = resources.conversionStateMachine;
        if (!saga) {
          throw new Error(
            `Function ${scope.node.id} needs nameConversionExecutions but no conversion state machine is in the catalog`,
          );
        }
        // Only the ARN: an admin gets the execution to open in the console, with their own rights.
        environment.CONVERT_STATE_MACHINE_ARN = saga.stateMachineArn;
        break;
      }
      case "startCancellation": {
        const saga = resources.cancellationStateMachine;
        if (!saga) {
          throw new Error(
            `Function ${scope.node.id} needs startCancellation but no cancellation state machine is in the catalog`,
          );
        }
        saga.grantStartExecution(role);
        environment.CANCEL_STATE_MACHINE_ARN = saga.stateMachineArn;
        break;
      }
      case "sendEmail": {
        const { email } = resources.stage.config;
        const { configurationSetName } = resources.mailConfigurationSet;
        role.addToPrincipalPolicy(
          new PolicyStatement({
            effect: Effect.ALLOW,
            actions: ["ses:SendEmail", "ses:SendRawEmail"],
            // SES authorises a send against the identity and against the configuration set used.
            resources: [
              Stack.of(scope).formatArn({
                service: "ses",
                resource: "identity",
                resourceName: senderIdentity(email),
              }),
              Stack.of(scope).formatArn({
                service: "ses",
                resource: "configuration-set",
                resourceName: configurationSetName,
              }),
            ],
            // Even with the identity granted, mail may only claim the configured sender.
            conditions: { StringEquals: { "ses:FromAddress": email.from } },
          }),
        );
        environment.EMAIL_FROM = email.from;
        environment.ADMIN_EMAIL = email.admin;
        environment.SES_CONFIGURATION_SET = configurationSetName;
        break;
      }
      default: {
        const unhandled: never = capability;
        throw new Error(`Capability ${String(unhandled)} has no binding`);
      }
    }
  }
  return environment;
}

/** The ARN of each of the loyalty table's indexes, named one by one (shared/tables.ts). */
function loyaltyIndexArns(table: ITable): string[] {
  return loyaltyTableDefinition.globalIndexes.map((index) => `${table.tableArn}/index/${index.indexName}`);
}

function definedOnly(environment: FunctionEnvironment): Record<string, string> {
  const result: Record<string, string> = {};
  for (const [name, value] of Object.entries(environment)) {
    if (value !== undefined) result[name] = value;
  }
  return result;
}
