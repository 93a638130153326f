import { Validations } from "aws-cdk-lib";
import type { IConstruct } from "constructs";
import type { RouteAuth } from "./catalog";
import type { LoyaltyFunction } from "./constructs/loyalty-function";

/** What the findings are acknowledged on: the stack's parts. */
export interface NagSubjects {
  readonly secrets: readonly IConstruct[];
  readonly functions: Readonly<Record<string, LoyaltyFunction>>;
  readonly couponEvents: { readonly deadLetters: IConstruct; readonly role: IConstruct };
  readonly stateMachines: Readonly<Record<string, { readonly machine: { readonly role: IConstruct } }>>;
  readonly apiRoutes: ReadonlyArray<{
    readonly spec: { readonly auth: RouteAuth };
    readonly route: IConstruct;
  }>;
}

/**
 * Every cdk-nag (AwsSolutions) finding the stack accepts, each with a one-line reason. cdk-nag 3
 * acknowledges one finding id at a time (no prefix matching). No grant names a wildcard resource
 * (indexes and task functions are named one by one); only actions without resource-level
 * permissions are acknowledged on `*`.
 */
export function acknowledgeNagFindings(stack: NagSubjects): void {
  const acknowledge = (scope: IConstruct, id: string, reason: string) =>
    Validations.of(scope).acknowledge({ id, reason });

  for (const secret of stack.secrets) {
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
  }

  acknowledge(
    stack.couponEvents.deadLetters,
    "AwsSolutions-SQS3",
    "This queue is the coupon event pipe's dead-letter queue (its DeadLetterConfig); cdk-nag only sees SQS redrive policies.",
  );
  acknowledge(
    stack.couponEvents.role,
    "AwsSolutions-IAM5[Resource::*]",
    "dynamodb:ListStreams only, which names no stream and is granted on * alone; the stream reads name the audit table's stream.",
  );

  for (const { machine } of Object.values(stack.stateMachines)) {
    acknowledge(
      machine.role,
      "AwsSolutions-IAM5[Resource::*]",
      "X-Ray and CloudWatch Logs delivery actions (logs:*LogDelivery*, DescribeResourcePolicies) support no resource-level permissions.",
    );
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
