import { App, CfnElement, type PolicyViolation, Stack } from "aws-cdk-lib";
import { Template } from "aws-cdk-lib/assertions";
import { Code } from "aws-cdk-lib/aws-lambda";
import { AwsSolutionsChecks } from "cdk-nag";
import type { IConstruct } from "constructs";
import cdkJson from "../../cdk.json" with { type: "json" };
import type { FunctionName } from "../../infra/catalog";
import * as catalog from "../../infra/catalog";
import { type LoyaltyCatalog, LoyaltyStack } from "../../infra/stack";
import { parseStageConfig, type Stage } from "../../infra/stage-config";

/** The committed demo stage, read from cdk.json as `npm run synth` reads it. */
export function demoStage(): Stage {
  return parseStageConfig("demo", cdkJson.context.stages.demo);
}

export interface TestStackOptions {
  readonly stage?: Stage;
  readonly catalog?: LoyaltyCatalog;
}

/** Builds the stack with inline code instead of esbuild bundles: no handler files, no bundling time. */
export function buildTestStack(options: TestStackOptions = {}): { stack: LoyaltyStack; template: Template } {
  const app = new App();
  const stack = new LoyaltyStack(app, "Loyalty-test", {
    stage: options.stage ?? demoStage(),
    functionCode: (name) => Code.fromInline(`exports.handler = async () => ({ function: "${name}" });`),
    ...(options.catalog ? { catalog: options.catalog } : {}),
  });
  return { stack, template: Template.fromStack(stack) };
}

// ---- reading IAM statements and environments back from a template ----

export interface PolicyStatement {
  readonly Effect: string;
  readonly Action: string | readonly string[];
  readonly Resource: unknown;
  readonly Condition?: unknown;
}

export type Resources = Record<string, { Type: string; Properties?: Record<string, unknown> }>;

export const actionsOf = (statement: PolicyStatement): readonly string[] =>
  typeof statement.Action === "string" ? [statement.Action] : statement.Action;

/** Every statement of every inline, default and managed policy in the template. */
export function allStatements(resources: Resources): Array<{ policy: string; statement: PolicyStatement }> {
  const documents: Array<{ policy: string; document: unknown }> = [];
  for (const [id, resource] of Object.entries(resources)) {
    const properties = resource.Properties ?? {};
    if (resource.Type === "AWS::IAM::Policy" || resource.Type === "AWS::IAM::ManagedPolicy") {
      documents.push({ policy: id, document: properties.PolicyDocument });
    }
    if (resource.Type === "AWS::IAM::Role" && Array.isArray(properties.Policies)) {
      for (const inline of properties.Policies as Array<{ PolicyDocument: unknown }>) {
        documents.push({ policy: id, document: inline.PolicyDocument });
      }
    }
  }
  return documents.flatMap(({ policy, document }) =>
    ((document as { Statement: PolicyStatement[] }).Statement ?? []).map((statement) => ({
      policy,
      statement,
    })),
  );
}

/** Statements of one role's policies, by the role's logical id. */
export function statementsOfRole(resources: Resources, roleLogicalId: string): PolicyStatement[] {
  return Object.values(resources)
    .filter(
      (resource) =>
        resource.Type === "AWS::IAM::Policy" &&
        JSON.stringify(resource.Properties?.Roles) === JSON.stringify([{ Ref: roleLogicalId }]),
    )
    .flatMap(
      (resource) =>
        (resource.Properties?.PolicyDocument as { Statement: PolicyStatement[] } | undefined)?.Statement ??
        [],
    );
}

/** A Lambda function's environment variables, by its logical id. */
export function environmentOf(resources: Resources, functionLogicalId: string): Record<string, unknown> {
  const environment = resources[functionLogicalId]?.Properties?.Environment as
    | { Variables: Record<string, unknown> }
    | undefined;
  return environment?.Variables ?? {};
}

export const mentions = (value: unknown, logicalId: string) =>
  JSON.stringify(value).includes(`"${logicalId}"`);

/** cdk-nag 3 AwsSolutions findings left unacknowledged, exactly what would fail `cdk synth`. */
export function awsSolutionsFindings(scope: IConstruct): PolicyViolation[] {
  return [...new AwsSolutionsChecks().validateScope(scope).violations];
}

/** The template logical id of a construct (or of its default CloudFormation resource). */
export function logicalIdOf(construct: IConstruct): string {
  const element = construct instanceof CfnElement ? construct : construct.node.defaultChild;
  if (!(element instanceof CfnElement))
    throw new Error(`${construct.node.path} has no CloudFormation resource`);
  const resolved: unknown = Stack.of(element).resolve(element.logicalId);
  if (typeof resolved !== "string") throw new Error(`Logical id of ${construct.node.path} did not resolve`);
  return resolved;
}

/** What a `${Placeholder}` for a catalog function reads as in a definition returned below. */
export function functionArnMarker(name: FunctionName): string {
  return `arn:aws:lambda:test-region:000000000000:function:${name}`;
}

/** The subset of Amazon States Language the saga tests navigate; everything else stays `unknown`. */
export interface AslRetrier {
  readonly ErrorEquals: readonly string[];
  readonly IntervalSeconds?: number;
  readonly MaxAttempts?: number;
  readonly BackoffRate?: number;
  readonly [key: string]: unknown;
}

export interface AslCatcher {
  readonly ErrorEquals: readonly string[];
  readonly Next: string;
  readonly ResultPath?: string | null;
  readonly [key: string]: unknown;
}

export interface AslState {
  readonly Type: string;
  readonly Resource?: string;
  readonly Parameters?: Readonly<Record<string, unknown>>;
  readonly Retry?: readonly AslRetrier[];
  readonly Catch?: readonly AslCatcher[];
  readonly Next?: string;
  readonly End?: boolean;
  readonly Branches?: readonly AslDefinition[];
  readonly [key: string]: unknown;
}

export interface AslDefinition {
  readonly Comment?: string;
  readonly StartAt: string;
  readonly States: Readonly<Record<string, AslState>>;
}

export interface SynthesisedStateMachine {
  /** The definition as Step Functions will run it, placeholders substituted. */
  readonly definition: AslDefinition;
  /** Placeholder -> what it was substituted with (function ARNs read as `functionArnMarker`). */
  readonly substitutions: Readonly<Record<string, string>>;
  /** The synthesised CloudFormation properties, for assertions on logging, tracing and type. */
  readonly properties: Readonly<Record<string, unknown>>;
}

/**
 * Reads a catalog state machine back from the synthesised template: joins a `Fn::Join`
 * `DefinitionString` if CDK produced one, applies `DefinitionSubstitutions` the way
 * CloudFormation will, and renders catalog functions' ARNs as `functionArnMarker(name)` so a test
 * can assert which function each task invokes.
 */
export function readStateMachineDefinition(
  stack: LoyaltyStack,
  name: string,
  template: Template = Template.fromStack(stack),
): SynthesisedStateMachine {
  const entry = stack.stateMachines[name];
  if (!entry) throw new Error(`No state machine ${name} in the stack`);
  const resource: unknown = template.toJSON().Resources?.[logicalIdOf(entry.machine)];
  const properties = isRecord(resource) && isRecord(resource.Properties) ? resource.Properties : undefined;
  if (!properties) throw new Error(`State machine ${name} is not in the template`);

  const functionNames = new Map<string, FunctionName>(
    (Object.entries(stack.functions) as Array<[FunctionName, { function: IConstruct }]>).map(
      ([fn, built]) => [logicalIdOf(built.function), fn],
    ),
  );
  const render = (value: unknown): string => renderIntrinsic(value, functionNames);

  const substitutions: Record<string, string> = {};
  if (isRecord(properties.DefinitionSubstitutions)) {
    for (const [placeholder, value] of Object.entries(properties.DefinitionSubstitutions)) {
      substitutions[placeholder] = render(value);
    }
  }
  const raw = render(properties.DefinitionString);
  const substituted = raw.replace(/\$\{([A-Za-z0-9_]+)\}/g, (match, placeholder: string) => {
    const value = substitutions[placeholder];
    if (value === undefined) throw new Error(`State machine ${name}: no substitution for ${match}`);
    return value;
  });
  const definition: unknown = JSON.parse(substituted);
  if (!isRecord(definition) || typeof definition.StartAt !== "string" || !isRecord(definition.States)) {
    throw new Error(`State machine ${name}: the definition has no StartAt/States`);
  }
  return { definition: definition as unknown as AslDefinition, substitutions, properties };
}

function renderIntrinsic(value: unknown, functionNames: ReadonlyMap<string, FunctionName>): string {
  if (typeof value === "string") return value;
  if (isRecord(value)) {
    const join = value["Fn::Join"];
    if (Array.isArray(join) && typeof join[0] === "string" && Array.isArray(join[1])) {
      const [delimiter, parts] = join;
      return parts.map((part: unknown) => renderIntrinsic(part, functionNames)).join(delimiter);
    }
    const getAtt = value["Fn::GetAtt"];
    if (Array.isArray(getAtt) && typeof getAtt[0] === "string") {
      const fn = functionNames.get(getAtt[0]);
      if (fn && getAtt[1] === "Arn") return functionArnMarker(fn);
      return `<${getAtt[0]}.${String(getAtt[1])}>`;
    }
    if (typeof value.Ref === "string") return `<${value.Ref}>`;
  }
  throw new Error(`Cannot render ${JSON.stringify(value)} in a state machine definition`);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/**
 * A catalog that exercises every capability on one function, which the real catalog does not:
 * `points` holds all capabilities (including starting the saga), `health` runs both tasks.
 */
export const everyCapabilityCatalog: LoyaltyCatalog = {
  functions: {
    health: {
      entry: "functions/health.ts",
      description: "Saga task fixture",
      capabilities: ["pos", "shopify", "loyaltyTableRead", "loyaltyTableWrite", "auditAppend"],
      timeoutSeconds: 10,
      memoryMb: 512,
    },
    points: {
      entry: "functions/points.ts",
      description: "API fixture with every capability",
      capabilities: [
        "pos",
        "shopify",
        "shopifyAppSecret",
        "loyaltyTableRead",
        "loyaltyTableWrite",
        "releaseLease",
        "releaseWebhookClaim",
        "auditAppend",
        "auditRead",
        "startConversion",
        "sendEmail",
      ],
      timeoutSeconds: 15,
    },
  },
  routes: catalog.routes.filter((route) => route.function === "health" || route.function === "points"),
  stateMachines: {
    // The name the stack binds `startConversion` to.
    convertPoints: {
      definitionFile: "tests/infra/fixtures/conversion.asl.json",
      description: "Conversion saga fixture",
      executionName: "the conversion id",
      tasks: { CheckBalanceFunction: "health", FinishFunction: "health" },
    },
  },
};

/**
 * The Lambda function and role aws-cdk-lib's BucketDeployment adds for the staff console (a
 * singleton at the stack's root): its grants are its own and are asserted in admin-console.test.ts.
 */
export function consoleDeploymentHandler(stack: Stack): { functionId: string; roleId: string } {
  const handler = stack.node.children.find((child) =>
    child.node.id.startsWith("Custom::CDKBucketDeployment"),
  );
  const role = handler?.node.tryFindChild("ServiceRole");
  if (!handler || !role) throw new Error("No BucketDeployment handler in the stack");
  return { functionId: logicalIdOf(handler), roleId: logicalIdOf(role) };
}
