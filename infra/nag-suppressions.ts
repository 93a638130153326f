import { Stack, Validations } from "aws-cdk-lib";
import { flattenCfnReference } from "cdk-nag/lib/utils/flatten-cfn-reference";
import type { IConstruct } from "constructs";
import type { RouteAuth } from "./catalog";
import type { LoyaltyFunction } from "./constructs/loyalty-function";
import type { LoyaltyStack } from "./stack";

/**
 * Every cdk-nag (AwsSolutions) finding the stack accepts, each with a one-line reason. cdk-nag 3
 * acknowledges one finding id at a time (no prefix matching), so wildcard findings name the exact
 * resource; they are derived from the same tokens the grants use, so they follow renames.
 */
export function acknowledgeNagFindings(stack: LoyaltyStack): void {
  const acknowledge = (scope: IConstruct, id: string, reason: string) =>
    Validations.of(scope).acknowledge({ id, reason });
  const wildcardResource = (scope: IConstruct, arn: string, reason: string) =>
    acknowledge(scope, `AwsSolutions-IAM5[Resource::${flatten(stack, arn)}]`, reason);

  for (const secret of Object.values(stack.secrets)) {
    acknowledge(
      secret,
      "AwsSolutions-SMG4",
      "Shopify and Smaregi issue these credentials; they are rotated by hand in those consoles, which Secrets Manager cannot drive.",
    );
  }

  for (const fn of Object.values<LoyaltyFunction>(stack.functions)) {
    acknowledge(
      fn.function,
      "AwsSolutions-L1",
      "nodejs22.x is the runtime the design fixes; the code also runs on the Node 20 development machines.",
    );
    acknowledge(
      fn.role,
      "AwsSolutions-IAM5[Resource::*]",
      "Only X-Ray's PutTraceSegments/PutTelemetryRecords, which support no resource-level permissions.",
    );
    if (fn.spec.capabilities.includes("loyaltyTableRead")) {
      wildcardResource(
        fn.role,
        `${stack.loyaltyTable.tableArn}/index/*`,
        "Queries the loyalty table's own GSIs (byCustomer, byStatus); index/* covers only this table.",
      );
    }
  }

  acknowledge(
    stack.couponEvents.role,
    "AwsSolutions-IAM5[Resource::*]",
    "dynamodb:ListStreams only, which names no stream and is granted on * alone; the stream reads name the audit table's stream.",
  );

  for (const { machine, tasks } of Object.values(stack.stateMachines)) {
    acknowledge(
      machine.role,
      "AwsSolutions-IAM5[Resource::*]",
      "X-Ray and CloudWatch Logs delivery actions (logs:*LogDelivery*, DescribeResourcePolicies) support no resource-level permissions.",
    );
    for (const task of tasks) {
      wildcardResource(
        machine.role,
        `${task.function.functionArn}:*`,
        "Versions and aliases of this task function only, as grantInvoke adds them.",
      );
    }
  }

  for (const { spec, route } of stack.apiRoutes) {
    const reason = unauthorizedRouteReasons[spec.auth];
    // Admin routes carry the Cognito JWT authorizer and need no acknowledgement.
    if (reason) acknowledge(route, "AwsSolutions-APIG4", reason);
  }
}

/** Why a route has no gateway authorizer, per kind of caller; admin routes have one. */
const unauthorizedRouteReasons: Readonly<Record<RouteAuth, string | undefined>> = {
  public: "Public by design: liveness check with no data.",
  customer:
    "The function verifies the Shopify session token (HS256 with the app secret), which the JWT authorizer cannot check.",
  webhook:
    "Shopify cannot send a JWT; the function verifies the webhook's HMAC over the raw body with the app secret.",
  "admin:viewer": undefined,
  "admin:admin": undefined,
};

function flatten(stack: Stack, value: string): string {
  return flattenCfnReference(Stack.of(stack).resolve(value));
}
