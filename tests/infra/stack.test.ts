import { Validations } from "aws-cdk-lib";
import { Match } from "aws-cdk-lib/assertions";
import { describe, expect, it } from "vitest";
import { functions as catalogFunctions, routes as catalogRoutes } from "../../infra/catalog";
import { isAdminRoute, type LoyaltyCatalog, routeKey } from "../../infra/stack";
import { auditTable, loyaltyTable } from "../../shared/tables";
import {
  actionsOf,
  allStatements,
  awsSolutionsFindings,
  buildTestStack,
  consoleDeploymentHandler,
  demoStage,
  environmentOf,
  everyCapabilityCatalog,
  functionArnMarker,
  logicalIdOf,
  mentions,
  type Resources,
  readStateMachineDefinition,
  statementsOfRole,
} from "./helpers";

describe.each([
  ["the catalog", undefined],
  ["every capability and a saga", everyCapabilityCatalog],
] as const)("Loyalty stack built from %s", (_label, testCatalog: LoyaltyCatalog | undefined) => {
  // Prepare
  const { stack, template } = buildTestStack(testCatalog ? { catalog: testCatalog } : {});
  const resources = template.toJSON().Resources as Resources;
  const specs = testCatalog?.functions ?? catalogFunctions;
  const specRoutes = testCatalog?.routes ?? catalogRoutes;
  // The staff console's upload handler belongs to aws-cdk-lib; admin-console.test.ts checks it.
  const deployment = consoleDeploymentHandler(stack);
  const ownStatements = () =>
    allStatements(resources).filter(
      ({ policy }) =>
        !JSON.stringify(resources[policy]?.Properties?.Roles ?? policy).includes(deployment.roleId),
    );

  it("builds every catalog function as nodejs22.x on arm64 with tracing and a retained log group", () => {
    // Assess
    const lambdas = Object.keys(template.findResources("AWS::Lambda::Function")).filter(
      (id) => id !== deployment.functionId,
    );
    expect(lambdas).toHaveLength(Object.keys(specs).length);
    for (const [name, spec] of Object.entries(specs)) {
      const fn = stack.functions[name as keyof typeof specs];
      const properties = resources[logicalIdOf(fn.function)]?.Properties;
      expect(properties).toMatchObject({
        Runtime: "nodejs22.x",
        Architectures: ["arm64"],
        TracingConfig: { Mode: "Active" },
        Timeout: spec.timeoutSeconds,
        MemorySize: spec.memoryMb ?? 256,
        LoggingConfig: { LogGroup: { Ref: logicalIdOf(fn.logGroup) } },
        Environment: {
          Variables: expect.objectContaining({
            NODE_OPTIONS: "--enable-source-maps",
            POWERTOOLS_SERVICE_NAME: "loyalty",
            POWERTOOLS_METRICS_NAMESPACE: "Loyalty",
            POWERTOOLS_LOG_LEVEL: "INFO",
            SHOP_DOMAIN: "loyalty-demo.myshopify.com",
            SMAREGI_API_URL: "https://api.smaregi.dev",
          }),
        },
      });
      expect(resources[logicalIdOf(fn.logGroup)]?.Properties).toEqual({ RetentionInDays: 30 });
    }
  });

  it("creates every catalog route with its own throttle", () => {
    // Assess
    for (const route of specRoutes) {
      template.hasResourceProperties("AWS::ApiGatewayV2::Route", {
        RouteKey: routeKey(route),
        AuthorizationType: isAdminRoute(route) ? "JWT" : "NONE",
        Target: Match.anyValue(),
      });
    }
    template.resourceCountIs("AWS::ApiGatewayV2::Route", specRoutes.length);
    const stage = template.findResources("AWS::ApiGatewayV2::Stage");
    const [stageProperties] = Object.values(stage).map((resource) => resource.Properties);
    expect(stageProperties).toMatchObject({ StageName: "$default", AutoDeploy: true });
    expect(stageProperties.RouteSettings).toEqual(
      Object.fromEntries(
        specRoutes.map((route) => [
          routeKey(route),
          { ThrottlingRateLimit: route.throttle.rate, ThrottlingBurstLimit: route.throttle.burst },
        ]),
      ),
    );
    // Route settings may only name existing routes, so the stage waits for them.
    const [stageResource] = Object.values(stage);
    expect(stageResource?.DependsOn).toEqual(
      expect.arrayContaining(stack.apiRoutes.map((r) => logicalIdOf(r.route))),
    );
  });

  it("writes access logs and allows CORS only from the storefront origins", () => {
    // Assess
    template.hasResourceProperties("AWS::ApiGatewayV2::Stage", {
      AccessLogSettings: { DestinationArn: Match.anyValue(), Format: Match.stringLikeRegexp("routeKey") },
    });
    template.hasResourceProperties("AWS::ApiGatewayV2::Api", {
      ProtocolType: "HTTP",
      CorsConfiguration: Match.objectLike({
        AllowOrigins: demoStage().config.storefrontOrigins,
        AllowHeaders: Match.arrayWith(["authorization", "idempotency-key"]),
      }),
    });
  });

  it("grants no IAM action with a wildcard", () => {
    // Assess
    const wildcards = ownStatements().filter(({ statement }) =>
      actionsOf(statement).some((action) => action.includes("*")),
    );
    expect(wildcards).toEqual([]);
  });

  it('grants Resource "*" only for actions without resource-level permissions (as acknowledged)', () => {
    // Prepare
    const unscopable = new Set([
      "xray:PutTraceSegments",
      "xray:PutTelemetryRecords",
      "xray:GetSamplingRules",
      "xray:GetSamplingTargets",
      "logs:CreateLogDelivery",
      "logs:GetLogDelivery",
      "logs:UpdateLogDelivery",
      "logs:DeleteLogDelivery",
      "logs:ListLogDeliveries",
      "logs:PutResourcePolicy",
      "logs:DescribeResourcePolicies",
      "logs:DescribeLogGroups",
      "dynamodb:ListStreams",
    ]);

    // Act
    const onEverything = ownStatements()
      .filter(({ statement }) => statement.Resource === "*")
      .flatMap(({ statement }) => actionsOf(statement));

    // Assess
    expect(onEverything.filter((action) => !unscopable.has(action))).toEqual([]);
  });

  it("never lets anything change or delete audit history", () => {
    // Prepare
    const audit = logicalIdOf(stack.auditTable);

    // Act
    const auditActions = allStatements(resources)
      .filter(({ statement }) => mentions(statement.Resource, audit))
      .flatMap(({ statement }) => actionsOf(statement));

    // Assess
    expect(
      auditActions.every((action) =>
        [
          "dynamodb:PutItem",
          "dynamodb:GetItem",
          "dynamodb:Query",
          // The coupon event pipe reads the stream of new items; streams cannot change the table.
          "dynamodb:DescribeStream",
          "dynamodb:GetRecords",
          "dynamodb:GetShardIterator",
        ].includes(action),
      ),
    ).toBe(true);
    for (const [name, spec] of Object.entries(specs)) {
      const fn = stack.functions[name as keyof typeof specs];
      const onAudit = statementsOfRole(resources, logicalIdOf(fn.role)).filter((statement) =>
        mentions(statement.Resource, audit),
      );
      const expected = [
        ...(spec.capabilities.includes("auditAppend") ? [["dynamodb:PutItem"]] : []),
        ...(spec.capabilities.includes("auditRead") ? [["dynamodb:GetItem", "dynamodb:Query"]] : []),
      ];
      expect(onAudit.map(actionsOf)).toEqual(expected);
    }
  });

  it("builds both tables from shared/tables.ts with PITR, deletion protection and TTL on loyalty", () => {
    // Assess
    for (const [table, definition] of [
      [stack.loyaltyTable, loyaltyTable],
      [stack.auditTable, auditTable],
    ] as const) {
      const resource = resources[logicalIdOf(table)];
      expect(resource?.Type).toBe("AWS::DynamoDB::Table");
      expect(resource?.Properties).toMatchObject({
        BillingMode: "PAY_PER_REQUEST",
        DeletionProtectionEnabled: true,
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
        SSESpecification: { SSEEnabled: true },
        KeySchema: [
          { AttributeName: definition.partitionKey.name, KeyType: "HASH" },
          { AttributeName: definition.sortKey.name, KeyType: "RANGE" },
        ],
      });
      const indexes = (resource?.Properties?.GlobalSecondaryIndexes ?? []) as Array<{ IndexName: string }>;
      // Each index with the keys and projection the stores query (shared/tables.ts), in order: a
      // deployment may add only one index, so new ones go last.
      expect(indexes).toEqual(
        definition.globalIndexes.map((index) => ({
          IndexName: index.indexName,
          KeySchema: [
            { AttributeName: index.partitionKey.name, KeyType: "HASH" },
            { AttributeName: index.sortKey.name, KeyType: "RANGE" },
          ],
          Projection: { ProjectionType: "ALL" },
        })),
      );
    }
    expect(resources[logicalIdOf(stack.loyaltyTable)]?.Properties?.TimeToLiveSpecification).toEqual({
      AttributeName: "ttl",
      Enabled: true,
    });
    expect(resources[logicalIdOf(stack.auditTable)]?.Properties?.TimeToLiveSpecification).toBeUndefined();
  });

  it("creates the three secrets with placeholders and operator instructions, never values", () => {
    // Assess
    const secrets = Object.values(template.findResources("AWS::SecretsManager::Secret"));
    expect(secrets).toHaveLength(3);
    for (const secret of secrets) {
      expect(secret.Properties.SecretString).toBeUndefined();
      expect(secret.Properties.Description).toContain("put-secret-value");
      expect(secret.DeletionPolicy).toBe("Retain");
    }
    template.hasResourceProperties("AWS::SecretsManager::Secret", {
      Name: "loyalty/demo/smaregi-credentials",
      GenerateSecretString: Match.objectLike({
        SecretStringTemplate: Match.stringLikeRegexp("clientId"),
        GenerateStringKey: "clientSecret",
      }),
    });
  });

  it("passes cdk-nag AwsSolutions with every acknowledgement justified in one line", () => {
    // Act
    const findings = awsSolutionsFindings(stack);

    // Assess
    expect(
      findings.filter((finding) => finding.severity === "error" || finding.severity === "warning"),
    ).toEqual([]);
    const reasons = stack.node
      .findAll()
      .flatMap((construct) => construct.node.metadata)
      .filter((entry) => entry.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
      .flatMap((entry) => Object.values(entry.data as Record<string, string>));
    expect(reasons.length).toBeGreaterThan(0);
    for (const reason of reasons) {
      expect(reason).toMatch(/^[^\n]{10,200}$/);
    }
  });
});

describe("Capability bindings", () => {
  // Prepare
  const { stack, template } = buildTestStack({ catalog: everyCapabilityCatalog });
  const resources = template.toJSON().Resources as Resources;
  const points = stack.functions.points;
  const statements = statementsOfRole(resources, logicalIdOf(points.role));
  const variables = environmentOf(resources, logicalIdOf(points.function));

  it("binds each capability's environment variable to the resource it was granted", () => {
    // Assess
    expect(variables).toMatchObject({
      SMAREGI_CREDENTIALS_SECRET_ID: { Ref: logicalIdOf(stack.secrets.smaregiCredentials) },
      SHOPIFY_ADMIN_CREDENTIALS_SECRET_ID: { Ref: logicalIdOf(stack.secrets.shopifyAdminCredentials) },
      SHOPIFY_APP_SECRET_SECRET_ID: { Ref: logicalIdOf(stack.secrets.shopifyAppSecret) },
      LOYALTY_TABLE: { Ref: logicalIdOf(stack.loyaltyTable) },
      AUDIT_TABLE: { Ref: logicalIdOf(stack.auditTable) },
      CONVERT_STATE_MACHINE_ARN: { Ref: logicalIdOf(stack.stateMachines.convertPoints?.machine ?? stack) },
      EMAIL_FROM: "loyalty@example.com",
      ADMIN_EMAIL: "ops@example.com",
    });
    for (const secret of Object.values(stack.secrets)) {
      expect(
        statements.some(
          (statement) =>
            actionsOf(statement).includes("secretsmanager:GetSecretValue") &&
            mentions(statement.Resource, logicalIdOf(secret)),
        ),
      ).toBe(true);
    }
  });

  it("lets the API start only the conversion saga, and nothing else in Step Functions", () => {
    // Prepare
    const saga = logicalIdOf(stack.stateMachines.convertPoints?.machine ?? stack);

    // Act
    const states = statements.filter((statement) =>
      actionsOf(statement).some((action) => action.startsWith("states:")),
    );

    // Assess
    expect(states).toEqual([
      expect.objectContaining({ Action: "states:StartExecution", Resource: { Ref: saga } }),
    ]);
  });

  it("scopes sending mail to the sender identity and address, with the stack's configuration set", () => {
    // Assess
    const send = statements.find((statement) => actionsOf(statement).includes("ses:SendEmail"));
    expect(actionsOf(send ?? { Effect: "Allow", Action: [], Resource: [] })).toEqual([
      "ses:SendEmail",
      "ses:SendRawEmail",
    ]);
    const configurationSet = logicalIdOf(stack.mailEvents.configurationSet);
    expect(JSON.stringify(send?.Resource)).toContain(":identity/example.com");
    expect(JSON.stringify(send?.Resource)).toContain(":configuration-set/");
    expect(mentions(send?.Resource, configurationSet)).toBe(true);
    expect(send?.Condition).toEqual({ StringEquals: { "ses:FromAddress": "loyalty@example.com" } });
    expect(variables.SES_CONFIGURATION_SET).toEqual({ Ref: configurationSet });
  });

  it("does not hand out capabilities a function was not given", () => {
    // Prepare
    const health = stack.functions.health;
    const healthStatements = statementsOfRole(resources, logicalIdOf(health.role));
    const healthVariables = environmentOf(resources, logicalIdOf(health.function));

    // Assess
    expect(healthVariables.SHOPIFY_APP_SECRET_SECRET_ID).toBeUndefined();
    expect(healthVariables.CONVERT_STATE_MACHINE_ARN).toBeUndefined();
    expect(
      healthStatements.some((statement) =>
        mentions(statement.Resource, logicalIdOf(stack.secrets.shopifyAppSecret)),
      ),
    ).toBe(false);
    expect(
      healthStatements
        .flatMap(actionsOf)
        .some((action) => action.startsWith("ses:") || action.startsWith("states:")),
    ).toBe(false);
  });
});

describe("State machines", () => {
  // Prepare
  const { stack, template } = buildTestStack({ catalog: everyCapabilityCatalog });
  const resources = template.toJSON().Resources as Resources;

  it("runs the ASL file as a logged, traced Standard workflow with function ARNs substituted", () => {
    // Act
    const { definition, substitutions, properties } = readStateMachineDefinition(
      stack,
      "convertPoints",
      template,
    );

    // Assess
    expect(properties).toMatchObject({
      StateMachineType: "STANDARD",
      TracingConfiguration: { Enabled: true },
      LoggingConfiguration: { Level: "ALL", IncludeExecutionData: true },
    });
    expect(substitutions).toEqual({
      CheckBalanceFunction: functionArnMarker("health"),
      FinishFunction: functionArnMarker("health"),
    });
    expect(definition.States.CheckBalance?.Resource).toBe(functionArnMarker("health"));
    expect(definition.States.CheckBalance?.Retry?.[0]?.ErrorEquals).toEqual(["PosUnavailable"]);
    expect(definition.States.Finish?.Parameters?.FunctionName).toBe(functionArnMarker("health"));
  });

  it("may invoke exactly its task functions", () => {
    // Prepare
    const machine = stack.stateMachines.convertPoints?.machine;
    if (!machine) throw new Error("fixture state machine missing");

    // Act
    const invoke = statementsOfRole(resources, logicalIdOf(machine.role)).filter((statement) =>
      actionsOf(statement).includes("lambda:InvokeFunction"),
    );

    // Assess
    const health = logicalIdOf(stack.functions.health.function);
    const points = logicalIdOf(stack.functions.points.function);
    expect(invoke).toHaveLength(1);
    expect(mentions(invoke[0]?.Resource, health)).toBe(true);
    expect(mentions(invoke[0]?.Resource, points)).toBe(false);
  });

  it("fails synthesis when the ASL and the catalog's task map disagree", () => {
    // Prepare
    const conversion = everyCapabilityCatalog.stateMachines.convertPoints;
    if (!conversion) throw new Error("fixture state machine missing");
    const broken: LoyaltyCatalog = {
      ...everyCapabilityCatalog,
      stateMachines: {
        convertPoints: { ...conversion, tasks: { CheckBalanceFunction: "health", DeductPoints: "health" } },
      },
    };

    // Act / Assess
    expect(() => buildTestStack({ catalog: broken })).toThrow(
      /placeholders without a task function: FinishFunction; tasks not used in the ASL: DeductPoints/,
    );
  });

  it("fails synthesis when a function starts a conversion saga that does not exist", () => {
    // Prepare
    const withoutSaga: LoyaltyCatalog = { ...everyCapabilityCatalog, stateMachines: {} };

    // Act / Assess
    expect(() => buildTestStack({ catalog: withoutSaga })).toThrow(/needs startConversion/);
  });
});
