import { type CfnElement, Stack, Validations } from "aws-cdk-lib";
import type { IConstruct } from "constructs";
import type { RouteAuth } from "./catalog";
import type { LoyaltyFunction } from "./constructs/loyalty-function";

/** What the findings are acknowledged on: the stack's parts. */
export interface NagSubjects {
  readonly secrets: readonly IConstruct[];
  readonly functions: Readonly<Record<string, LoyaltyFunction>>;
  readonly couponEvents: { readonly deadLetters: IConstruct; readonly role: IConstruct };
  readonly stateMachines: Readonly<Record<string, { readonly machine: { readonly role: IConstruct } }>>;
  /** The stack itself: aws-cdk-lib puts the console upload's handler at its root. */
  readonly root: IConstruct;
  readonly adminConsole: {
    readonly distribution: IConstruct;
    readonly bucket: IConstruct;
    /** With a custom domain the distribution requires TLSv1.2_2021: nothing to acknowledge. */
    readonly customDomain: boolean;
  };
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

  acknowledgeConsoleFindings(stack, acknowledge);

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

/** The staff console's distribution and the CDK handler that uploads its files. */
function acknowledgeConsoleFindings(
  stack: NagSubjects,
  acknowledge: (scope: IConstruct, id: string, reason: string) => void,
): void {
  const { distribution, bucket } = stack.adminConsole;
  acknowledge(
    distribution,
    "AwsSolutions-CFR1",
    "Shop staff sign in from stores, home and travel; access is gated by Cognito sign-in with MFA, not by country.",
  );
  acknowledge(
    distribution,
    "AwsSolutions-CFR2",
    "Static files only; /v1 is throttled per route, admin calls need a Cognito JWT, sign-in has threat protection. A web ACL's fixed cost adds little for a few staff.",
  );
  if (!stack.adminConsole.customDomain) {
    acknowledge(
      distribution,
      "AwsSolutions-CFR4",
      "The default *.cloudfront.net certificate cannot pin a TLS minimum; a custom domain with TLSv1.2_2021 can (docs/staff-console.md).",
    );
  }

  // BucketDeployment's handler is a singleton Lambda owned by aws-cdk-lib, at the stack's root.
  const handler = stack.root.node.children.find((child) =>
    child.node.id.startsWith("Custom::CDKBucketDeployment"),
  );
  if (!handler) throw new Error("The staff console's BucketDeployment handler was not found");
  acknowledge(
    handler,
    "AwsSolutions-L1",
    "aws-cdk-lib's BucketDeployment handler (Python) picks its own runtime; it only runs during deploys.",
  );
  acknowledge(
    handler,
    "AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]",
    "aws-cdk-lib's BucketDeployment handler: only its own CloudWatch Logs permissions.",
  );
  const bucketId = Stack.of(bucket).getLogicalId(bucket.node.defaultChild as CfnElement);
  const deploymentGrants: Record<string, string> = {
    "Action::s3:GetObject*": "Reads the uploaded build from the CDK asset bucket.",
    "Action::s3:GetBucket*": "Reads the asset and console buckets' metadata while copying.",
    "Action::s3:List*": "Lists the console bucket to prune files a deploy removed.",
    "Action::s3:DeleteObject*": "Prunes console files a deploy removed, in the console bucket only.",
    "Action::s3:Abort*": "Aborts its own interrupted multipart uploads to the console bucket.",
    "Resource::arn:<AWS::Partition>:s3:::cdk-hnb659fds-assets-<AWS::AccountId>-<AWS::Region>/*":
      "Objects of the CDK bootstrap asset bucket, where the build is uploaded before the copy.",
    [`Resource::<${bucketId}.Arn>/*`]: "Objects of the console bucket, which this handler fills.",
    "Resource::*":
      "aws-cdk-lib grants cloudfront:CreateInvalidation/GetInvalidation on * (not configurable); it invalidates /admin/* at deploy.",
  };
  for (const [finding, reason] of Object.entries(deploymentGrants)) {
    acknowledge(handler, `AwsSolutions-IAM5[${finding}]`, `BucketDeployment: ${reason}`);
  }
}
