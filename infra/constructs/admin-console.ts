import { Duration, Fn, RemovalPolicy, Stack } from "aws-cdk-lib";
import type { HttpApi } from "aws-cdk-lib/aws-apigatewayv2";
import { Certificate } from "aws-cdk-lib/aws-certificatemanager";
import {
  AllowedMethods,
  CachePolicy,
  Function as CloudFrontFunction,
  Distribution,
  FunctionCode,
  FunctionEventType,
  FunctionRuntime,
  HeadersFrameOption,
  HeadersReferrerPolicy,
  HttpVersion,
  OriginProtocolPolicy,
  OriginRequestPolicy,
  PriceClass,
  ResponseHeadersPolicy,
  SecurityPolicyProtocol,
  ViewerProtocolPolicy,
} from "aws-cdk-lib/aws-cloudfront";
import { HttpOrigin, S3BucketOrigin } from "aws-cdk-lib/aws-cloudfront-origins";
import type { UserPool, UserPoolClient, UserPoolDomain } from "aws-cdk-lib/aws-cognito";
import { BlockPublicAccess, Bucket, BucketEncryption, ObjectOwnership } from "aws-cdk-lib/aws-s3";
import { BucketDeployment, CacheControl, Source } from "aws-cdk-lib/aws-s3-deployment";
import { Construct } from "constructs";
import { contentSecurityPolicy, HSTS_SECONDS, PERMISSIONS_POLICY } from "../../console/headers";

export interface AdminConsoleProps {
  /** The built console (`console/build.ts`), uploaded as it is. */
  readonly assetDirectory: string;
  /** The HTTP API that `/v1/*` is routed to, on the console's own origin. */
  readonly api: HttpApi;
  readonly userPool: UserPool;
  readonly client: UserPoolClient;
  readonly domain: UserPoolDomain;
  /** The console's own host name and its us-east-1 certificate; else the distribution's default domain. */
  readonly customDomain?: { readonly name: string; readonly certificateArn: string } | undefined;
}

/** Where the console lives on the distribution; the same path as on the local gateway. */
export const CONSOLE_PATH = "/admin/";

/**
 * The staff console: its files in a private S3 bucket read only by CloudFront (origin access
 * control), the HTTP API behind the same distribution at `/v1/*` (so the console needs no CORS),
 * and strict security headers on every answer. `config.json` tells the console where to sign in.
 */
export class AdminConsole extends Construct {
  readonly bucket: Bucket;
  readonly logBucket: Bucket;
  readonly distribution: Distribution;
  readonly headers: ResponseHeadersPolicy;
  readonly deployment: BucketDeployment;
  readonly rewrite: CloudFrontFunction;
  /** The host name staff open: the custom domain, else `<id>.cloudfront.net`. */
  readonly hostName: string;

  constructor(scope: Construct, id: string, props: AdminConsoleProps) {
    super(scope, id);
    const region = Stack.of(this).region;

    // CloudFront standard logs and the bucket's access logs; CloudFront writes with ACLs.
    this.logBucket = new Bucket(this, "Logs", {
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      encryption: BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      objectOwnership: ObjectOwnership.BUCKET_OWNER_PREFERRED,
      lifecycleRules: [{ expiration: Duration.days(90) }],
      removalPolicy: RemovalPolicy.RETAIN,
    });

    this.bucket = new Bucket(this, "Files", {
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      encryption: BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      versioned: true,
      serverAccessLogsBucket: this.logBucket,
      serverAccessLogsPrefix: "s3/",
      removalPolicy: RemovalPolicy.RETAIN,
    });

    this.headers = new ResponseHeadersPolicy(this, "SecurityHeaders", {
      comment: "Staff console: CSP without inline script, HSTS, no framing",
      securityHeadersBehavior: {
        contentSecurityPolicy: {
          contentSecurityPolicy: contentSecurityPolicy({
            identityOrigins: [`https://cognito-idp.${region}.amazonaws.com`, props.domain.baseUrl()],
          }),
          override: true,
        },
        strictTransportSecurity: {
          accessControlMaxAge: Duration.seconds(HSTS_SECONDS),
          includeSubdomains: true,
          override: true,
        },
        contentTypeOptions: { override: true },
        frameOptions: { frameOption: HeadersFrameOption.DENY, override: true },
        referrerPolicy: { referrerPolicy: HeadersReferrerPolicy.NO_REFERRER, override: true },
      },
      customHeadersBehavior: {
        customHeaders: [
          { header: "Permissions-Policy", value: PERMISSIONS_POLICY, override: true },
          { header: "Cross-Origin-Opener-Policy", value: "same-origin", override: true },
        ],
      },
    });

    // `/` and `/admin` go to the console; a folder path serves its index.html (S3 has no index).
    this.rewrite = new CloudFrontFunction(this, "IndexRewrite", {
      runtime: FunctionRuntime.JS_2_0,
      comment: "Staff console: /admin/ -> /admin/index.html",
      code: FunctionCode.fromInline(`function handler(event) {
  var request = event.request;
  if (request.uri === "/" || request.uri === "${CONSOLE_PATH.slice(0, -1)}") {
    return { statusCode: 302, statusDescription: "Found", headers: { location: { value: "${CONSOLE_PATH}" } } };
  }
  if (request.uri.endsWith("/")) request.uri += "index.html";
  return request;
}`),
    });

    const apiDomain = Fn.select(2, Fn.split("/", props.api.apiEndpoint));
    this.distribution = new Distribution(this, "Distribution", {
      comment: "Loyalty staff console and its API",
      ...(props.customDomain
        ? {
            domainNames: [props.customDomain.name],
            certificate: Certificate.fromCertificateArn(
              this,
              "Certificate",
              props.customDomain.certificateArn,
            ),
            minimumProtocolVersion: SecurityPolicyProtocol.TLS_V1_2_2021,
          }
        : {}),
      httpVersion: HttpVersion.HTTP2_AND_3,
      // Japan is in every class; 200 also serves the rest of Asia from nearby.
      priceClass: PriceClass.PRICE_CLASS_200,
      enableLogging: true,
      logBucket: this.logBucket,
      logFilePrefix: "cloudfront/",
      defaultBehavior: {
        origin: S3BucketOrigin.withOriginAccessControl(this.bucket),
        viewerProtocolPolicy: ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
        allowedMethods: AllowedMethods.ALLOW_GET_HEAD,
        cachePolicy: CachePolicy.CACHING_OPTIMIZED,
        responseHeadersPolicy: this.headers,
        functionAssociations: [{ function: this.rewrite, eventType: FunctionEventType.VIEWER_REQUEST }],
      },
      additionalBehaviors: {
        "/v1/*": {
          origin: new HttpOrigin(apiDomain, { protocolPolicy: OriginProtocolPolicy.HTTPS_ONLY }),
          viewerProtocolPolicy: ViewerProtocolPolicy.HTTPS_ONLY,
          allowedMethods: AllowedMethods.ALLOW_ALL,
          // Answers are per staff member and change with every action: never cached.
          cachePolicy: CachePolicy.CACHING_DISABLED,
          // Authorization, Idempotency-Key and the query reach the API; Host must stay the API's.
          originRequestPolicy: OriginRequestPolicy.ALL_VIEWER_EXCEPT_HOST_HEADER,
          responseHeadersPolicy: this.headers,
        },
      },
    });

    this.hostName = props.customDomain?.name ?? this.distribution.distributionDomainName;

    this.deployment = new BucketDeployment(this, "Deploy", {
      sources: [
        Source.asset(props.assetDirectory),
        Source.jsonData("config.json", {
          authority: props.userPool.userPoolProviderUrl,
          clientId: props.client.userPoolClientId,
          signOutEndpoint: `${props.domain.baseUrl()}/logout`,
          stepFunctionsConsole: true,
        }),
      ],
      destinationBucket: this.bucket,
      destinationKeyPrefix: CONSOLE_PATH.slice(1),
      // Revalidated on every load: a deploy is visible at once (scripts have hashed names anyway).
      cacheControl: [CacheControl.noCache()],
      distribution: this.distribution,
      distributionPaths: [`${CONSOLE_PATH}*`],
      prune: true,
      memoryLimit: 256,
    });
  }

  /** `https://<host>/admin/`. */
  get url(): string {
    return `https://${this.hostName}${CONSOLE_PATH}`;
  }
}
