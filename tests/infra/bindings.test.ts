import { describe, expect, it } from "vitest";
import { capabilityVariables, functions as catalogFunctions, type FunctionName } from "../../infra/catalog";
import { DELETABLE_KEY_PREFIXES, LOYALTY_TABLE_WRITE_ACTIONS } from "../../infra/constructs/loyalty-function";
import { parseStageConfig } from "../../infra/stage-config";
import type { DocumentDb } from "../../shared/adapters/dynamodb/client";
import { DynamoConversionStore } from "../../shared/adapters/dynamodb/conversions";
import { DynamoWebhookDeliveries } from "../../shared/adapters/dynamodb/webhook-deliveries";
import { environmentSchema } from "../../shared/config";
import { loyaltyIndexes } from "../../shared/tables";
import {
  actionsOf,
  allStatements,
  buildTestStack,
  demoStage,
  environmentOf,
  logicalIdOf,
  type PolicyStatement,
  type Resources,
  statementsOfRole,
} from "./helpers";

const boundVariables = new Set(Object.values(capabilityVariables).flat());

/** Stage settings every function gets, whatever its capabilities. */
const stageVariables = {
  STAGE: "demo",
  SHOP_DOMAIN: "loyalty-demo.myshopify.com",
  SHOPIFY_API_VERSION: "2026-10",
  SHOP_TIMEZONE: "Asia/Tokyo",
  DEFAULT_LOCALE: "ja",
  SMAREGI_CONTRACT_ID: "sb_demo0001",
  SMAREGI_AUTH_URL: "https://id.smaregi.dev",
  SMAREGI_API_URL: "https://api.smaregi.dev",
  SMAREGI_MEMBER_FIELD: "customerCode",
  POINTS_UNIT: "100",
  POINTS_MINIMUM: "100",
  DAILY_POINTS_LIMIT: "10000",
  YEN_PER_POINT: "1",
  COUPON_VALIDITY_DAYS: "365",
};

const names = Object.keys(catalogFunctions) as FunctionName[];

/** Whether a statement allows `action` on the table itself or on one of its indexes, named. */
function allows(
  statements: readonly PolicyStatement[],
  action: string,
  tableId: string,
  on: "items" | `index/${string}`,
): boolean {
  const tableArn = JSON.stringify({ "Fn::GetAtt": [tableId, "Arn"] });
  return statements.some((statement) => {
    if (!actionsOf(statement).includes(action)) return false;
    const targets = Array.isArray(statement.Resource) ? statement.Resource : [statement.Resource];
    return targets.some((target: unknown) => {
      const text = JSON.stringify(target);
      if (on === "items") return text === tableArn;
      return text.includes(tableArn) && text.includes(`"/${on}"`);
    });
  });
}

describe("What each catalog function is given, against what its code calls", () => {
  // Prepare
  const { stack, template } = buildTestStack();
  const resources = template.toJSON().Resources as Resources;
  const loyalty = logicalIdOf(stack.loyaltyTable);
  const audit = logicalIdOf(stack.auditTable);
  const statementsOf = (name: FunctionName) =>
    statementsOfRole(resources, logicalIdOf(stack.functions[name].role));
  const variablesOf = (name: FunctionName) =>
    environmentOf(resources, logicalIdOf(stack.functions[name].function));

  it.each(names)("%s gets exactly the variables of its capabilities, plus the stage settings", (name) => {
    // Prepare
    const expected = new Set(catalogFunctions[name].capabilities.flatMap((c) => capabilityVariables[c]));

    // Act
    const variables = variablesOf(name);
    const bound = Object.keys(variables).filter((variable) => boundVariables.has(variable));

    // Assess
    expect(new Set(bound)).toEqual(expected);
    expect(variables).toMatchObject(stageVariables);
  });

  it.each(names)("%s has an environment that shared/config.ts parses", (name) => {
    // Prepare: tokens become the strings CloudFormation will put there.
    const variables = Object.fromEntries(
      Object.entries(variablesOf(name)).map(([key, value]) => [
        key,
        typeof value === "string" ? value : `resolved-${key.toLowerCase()}`,
      ]),
    );
    const runtimeOnly = ["POWERTOOLS_SERVICE_NAME", "POWERTOOLS_METRICS_NAMESPACE", "POWERTOOLS_LOG_LEVEL"];

    // Act
    const parsed = environmentSchema.safeParse(variables);

    // Assess
    expect(parsed.success).toBe(true);
    const known = new Set([...Object.keys(environmentSchema.shape), ...runtimeOnly, "NODE_OPTIONS"]);
    expect(Object.keys(variables).filter((key) => !known.has(key))).toEqual([]);
  });

  it("passes the coupon currency only when the stage configures one", () => {
    // Prepare
    const demo = demoStage();
    const withCurrency = parseStageConfig("demo", {
      ...demo.config,
      rules: { ...demo.config.rules, currency: "JPY" },
    });

    // Act
    const configured = buildTestStack({ stage: withCurrency });
    const configuredResources = configured.template.toJSON().Resources as Resources;

    // Assess
    for (const name of names) {
      expect(variablesOf(name).CURRENCY).toBeUndefined();
      const fn = configured.stack.functions[name].function;
      expect(environmentOf(configuredResources, logicalIdOf(fn)).CURRENCY).toBe("JPY");
    }
  });

  it("lets every audit writer only append (PutItem) to the audit table", () => {
    for (const name of names) {
      const appends = catalogFunctions[name].capabilities.includes("auditAppend");
      expect(allows(statementsOf(name), "dynamodb:PutItem", audit, "items"), name).toBe(appends);
    }
    const sagaTasks = stack.stateMachines.convertPoints?.tasks ?? [];
    expect(sagaTasks).toHaveLength(12);
    expect(sagaTasks.every((task) => task.spec.capabilities.includes("auditAppend"))).toBe(true);
  });

  it("grants loyalty-table writers item writes and the read-back of a collided write, never index writes", () => {
    for (const name of names) {
      const writes = catalogFunctions[name].capabilities.includes("loyaltyTableWrite");
      const statements = statementsOf(name);
      for (const action of LOYALTY_TABLE_WRITE_ACTIONS) {
        expect(allows(statements, action, loyalty, "items"), `${name} ${action}`).toBe(
          writes ||
            (action === "dynamodb:GetItem" &&
              catalogFunctions[name].capabilities.includes("loyaltyTableRead")),
        );
      }
      const indexWrites = statements.filter(
        (statement) =>
          JSON.stringify(statement.Resource).includes("/index/") &&
          actionsOf(statement).some((action) => /Put|Update|Delete|Write/.test(action)),
      );
      expect(indexWrites, name).toEqual([]);
    }
  });

  it("covers the store calls of the conversion's functions", () => {
    // The API reserves (transaction of puts and updates), reads the idempotency key and polls.
    const conversions = statementsOf("conversions");
    for (const action of ["dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:GetItem"]) {
      expect(allows(conversions, action, loyalty, "items"), action).toBe(true);
    }
    // updateConversion / markDeductionStarted / releaseReservation.
    for (const name of ["checkBalance", "deductPoints", "failConversion", "saveCouponRecord"] as const) {
      expect(allows(statementsOf(name), "dynamodb:UpdateItem", loyalty, "items"), name).toBe(true);
    }
    expect(allows(statementsOf("failConversion"), "dynamodb:DeleteItem", loyalty, "items")).toBe(true);
    // putCoupon re-reads the coupon an earlier attempt wrote when a retried step meets it.
    for (const name of ["confirmConversion", "parkForReview"] as const) {
      expect(allows(statementsOf(name), "dynamodb:PutItem", loyalty, "items"), name).toBe(true);
      expect(allows(statementsOf(name), "dynamodb:GetItem", loyalty, "items"), name).toBe(true);
    }
    // Reconciliation reads the conversion and the customer's others through byCustomer.
    const reconcile = statementsOf("reconcileDeduction");
    expect(allows(reconcile, "dynamodb:GetItem", loyalty, "items")).toBe(true);
    expect(allows(reconcile, "dynamodb:Query", loyalty, `index/${loyaltyIndexes.byCustomer}`)).toBe(true);
    // The late deduction's return claims the subtraction on the conversion, writes its point
    // adjustment first (PutItem) and looks for rivals among the customer's conversions.
    const lateReturn = statementsOf("returnLateDeduction");
    for (const action of ["dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:GetItem"]) {
      expect(allows(lateReturn, action, loyalty, "items"), action).toBe(true);
    }
    expect(allows(lateReturn, "dynamodb:Query", loyalty, `index/${loyaltyIndexes.byCustomer}`)).toBe(true);
    // The late refund's take-back claims it on the coupon and the cancellation, writes its point
    // adjustment first and reads the customer's coupons for rivals.
    const takeBack = statementsOf("takeBackLateRefund");
    for (const action of ["dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:GetItem"]) {
      expect(allows(takeBack, action, loyalty, "items"), action).toBe(true);
    }
    expect(allows(takeBack, "dynamodb:Query", loyalty, `index/${loyaltyIndexes.byCustomer}`)).toBe(true);
    // The coupons list reads byCustomer too.
    expect(
      allows(statementsOf("coupons"), "dynamodb:Query", loyalty, `index/${loyaltyIndexes.byCustomer}`),
    ).toBe(true);
  });
});

describe("Least privilege: each grant is only what the code calls", () => {
  // Prepare
  const { stack, template } = buildTestStack();
  const resources = template.toJSON().Resources as Resources;
  const loyalty = logicalIdOf(stack.loyaltyTable);
  const statementsOf = (name: FunctionName) =>
    statementsOfRole(resources, logicalIdOf(stack.functions[name].role));
  const onLoyaltyTable = (statement: PolicyStatement) => JSON.stringify(statement.Resource).includes(loyalty);
  const resourceTexts = (statement: PolicyStatement) =>
    (Array.isArray(statement.Resource) ? statement.Resource : [statement.Resource]).map((resource: unknown) =>
      JSON.stringify(resource),
    );

  it("grants no function Scan, batch, condition-check, describe or stream actions on any table", () => {
    const broad = [
      "dynamodb:Scan",
      "dynamodb:BatchGetItem",
      "dynamodb:BatchWriteItem",
      "dynamodb:ConditionCheckItem",
      "dynamodb:DescribeTable",
      "dynamodb:GetRecords",
      "dynamodb:GetShardIterator",
      "dynamodb:DescribeStream",
    ];
    for (const name of names) {
      const actions = statementsOf(name).flatMap(actionsOf);
      expect(
        actions.filter((action) => broad.includes(action)),
        name,
      ).toEqual([]);
    }
  });

  it("names every index it grants, never index/*, in any policy of the stack", () => {
    const wildcards = allStatements(resources).filter(({ statement }) =>
      resourceTexts(statement).some((text) => text.includes("/index/*")),
    );
    expect(wildcards).toEqual([]);
    const indexes = new Set(
      allStatements(resources).flatMap(({ statement }) =>
        resourceTexts(statement).flatMap((text) =>
          [...text.matchAll(/"\/index\/([^"]+)"/g)].map((m) => m[1]),
        ),
      ),
    );
    expect(indexes).toEqual(new Set(Object.values(loyaltyIndexes)));
  });

  it("lets the state machines invoke their task functions unqualified, never `:*`", () => {
    const invokes = allStatements(resources).filter(({ statement }) =>
      actionsOf(statement).includes("lambda:InvokeFunction"),
    );
    expect(invokes.length).toBeGreaterThan(0);
    for (const { statement } of invokes) {
      for (const text of resourceTexts(statement)) {
        expect(text).toMatch(/^\{"Fn::GetAtt":\["[A-Za-z0-9]+","Arn"\]\}$/);
      }
    }
  });

  it("gives a read-only function GetItem and Query on the table and its named indexes, nothing more", () => {
    const readOnly = names.filter(
      (name) =>
        catalogFunctions[name].capabilities.includes("loyaltyTableRead") &&
        !catalogFunctions[name].capabilities.includes("loyaltyTableWrite"),
    );
    expect(readOnly.length).toBeGreaterThan(0);
    for (const name of readOnly) {
      const onTable = statementsOf(name).filter(onLoyaltyTable);
      expect(new Set(onTable.flatMap(actionsOf)), name).toEqual(
        new Set(["dynamodb:GetItem", "dynamodb:Query"]),
      );
      expect(allows(onTable, "dynamodb:GetItem", loyalty, "items"), name).toBe(true);
      for (const index of Object.values(loyaltyIndexes)) {
        expect(allows(onTable, "dynamodb:Query", loyalty, `index/${index}`), `${name} ${index}`).toBe(true);
      }
    }
  });

  it("lets only the functions that delete delete, each on its own key prefix", () => {
    // The code's two deletes: releaseReservation (the lease, when a conversion ends) and the
    // webhook claim given back when processing a delivery failed.
    const expected: Readonly<Record<string, string>> = {
      adminReviewResolution: "LEASE#*",
      confirmConversion: "LEASE#*",
      deductPoints: "LEASE#*",
      failConversion: "LEASE#*",
      parkForReview: "LEASE#*",
      reconcileConversions: "LEASE#*",
      shopifyWebhooks: "WEBHOOK#*",
    };
    const deleting = Object.fromEntries(
      names.flatMap((name) => {
        const deletes = statementsOf(name).filter((statement) =>
          actionsOf(statement).includes("dynamodb:DeleteItem"),
        );
        if (deletes.length === 0) return [];
        expect(deletes, name).toHaveLength(1);
        expect(actionsOf(deletes[0] as PolicyStatement), name).toEqual(["dynamodb:DeleteItem"]);
        expect(deletes[0]?.Resource, name).toEqual({ "Fn::GetAtt": [loyalty, "Arn"] });
        const condition = deletes[0]?.Condition as
          | { "ForAllValues:StringLike": { "dynamodb:LeadingKeys": string[] } }
          | undefined;
        return [[name, condition?.["ForAllValues:StringLike"]["dynamodb:LeadingKeys"].join(",")]];
      }),
    );
    expect(deleting).toEqual(expected);
    expect(
      allStatements(resources)
        .filter(({ statement }) => actionsOf(statement).includes("dynamodb:DeleteItem"))
        .every(({ statement }) => statement.Condition !== undefined),
    ).toBe(true);
  });

  it("grants the prefixes the store's deletes really use", async () => {
    // Prepare: a client that records what it is sent.
    const sent: Array<{ Key?: { pk?: string } }> = [];
    const client = {
      delete: async (input: { Key?: { pk?: string } }) => {
        sent.push(input);
        return {};
      },
    } as unknown as DocumentDb;

    // Act
    await new DynamoConversionStore({ client, tableName: "t", dailyLimitPoints: 10_000 }).releaseReservation(
      "conversion-1",
      "8840734670934",
    );
    await new DynamoWebhookDeliveries({ client, tableName: "t" }).release("webhook-1");

    // Assess
    expect(sent.map((input) => input.Key?.pk)).toEqual([
      `${DELETABLE_KEY_PREFIXES.releaseLease}8840734670934`,
      `${DELETABLE_KEY_PREFIXES.releaseWebhookClaim}webhook-1`,
    ]);
  });
});
