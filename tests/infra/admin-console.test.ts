import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import cdkJson from "../../cdk.json" with { type: "json" };
import { consoleAssetDirectory } from "../../console/build";
import { REPOSITORY_ROOT } from "../../infra/stack";
import { parseStageConfig } from "../../infra/stage-config";
import {
  actionsOf,
  allStatements,
  awsSolutionsFindings,
  buildTestStack,
  consoleDeploymentHandler,
  logicalIdOf,
  type PolicyStatement,
  type Resources,
} from "./helpers";

/**
 * The staff console's hosting and sign-in: a private bucket read only through CloudFront's origin
 * access control, the API on the same distribution at /v1/*, strict headers, and Cognito managed
 * login with the console's code-flow client.
 */
const demo = cdkJson.context.stages.demo;
const certificate = "arn:aws:acm:us-east-1:123456789012:certificate/0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d";
const stage = parseStageConfig("demo", {
  ...demo,
  adminConsole: { ...demo.adminConsole, extraOrigins: ["https://staff.example.com"] },
});
const { stack, template } = buildTestStack({ stage });
const resources = template.toJSON().Resources as Resources;
const { adminConsole, adminAuth } = stack;
const distributionId = logicalIdOf(adminConsole.distribution);
const bucketId = logicalIdOf(adminConsole.bucket);
const consoleUrl = {
  "Fn::Join": ["", ["https://", { "Fn::GetAtt": [distributionId, "DomainName"] }, "/admin/"]],
};

const distributionConfig = () =>
  (resources[distributionId]?.Properties?.DistributionConfig ?? {}) as Record<string, unknown> & {
    DefaultCacheBehavior: Record<string, unknown>;
    CacheBehaviors: Array<Record<string, unknown>>;
    Origins: Array<Record<string, unknown>>;
  };

describe("Staff console hosting", () => {
  it("keeps the files in a private, encrypted bucket that only this distribution can read", () => {
    // Assess
    expect(resources[bucketId]?.Properties).toMatchObject({
      PublicAccessBlockConfiguration: {
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      },
      BucketEncryption: {
        ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: "AES256" } }],
      },
    });
    const policy = Object.values(resources).find(
      (resource) =>
        resource.Type === "AWS::S3::BucketPolicy" &&
        JSON.stringify(resource.Properties?.Bucket) === JSON.stringify({ Ref: bucketId }),
    );
    const document = policy?.Properties?.PolicyDocument as
      | { Statement: Array<PolicyStatement & { Principal: unknown }> }
      | undefined;
    const statements = document?.Statement ?? [];
    const allows = statements.filter((statement) => statement.Effect === "Allow");
    expect(allows).toEqual([
      {
        Action: "s3:GetObject",
        Effect: "Allow",
        Principal: { Service: "cloudfront.amazonaws.com" },
        Resource: { "Fn::Join": ["", [{ "Fn::GetAtt": [bucketId, "Arn"] }, "/*"]] },
        Condition: {
          StringEquals: {
            "AWS:SourceArn": {
              "Fn::Join": [
                "",
                [
                  "arn:",
                  { Ref: "AWS::Partition" },
                  ":cloudfront::",
                  { Ref: "AWS::AccountId" },
                  ":distribution/",
                  { Ref: distributionId },
                ],
              ],
            },
          },
        },
      },
    ]);
    // Plain-HTTP access is denied.
    expect(statements).toContainEqual(
      expect.objectContaining({ Effect: "Deny", Condition: { Bool: { "aws:SecureTransport": "false" } } }),
    );
  });

  it("serves the files through origin access control over HTTPS, with the security headers", () => {
    // Assess
    const config = distributionConfig();
    const s3Origin = config.Origins.find((origin) => "S3OriginConfig" in origin);
    const [oacId, oac] =
      Object.entries(resources).find(
        ([, resource]) => resource.Type === "AWS::CloudFront::OriginAccessControl",
      ) ?? [];
    expect(oac?.Properties?.OriginAccessControlConfig).toMatchObject({
      OriginAccessControlOriginType: "s3",
      SigningBehavior: "always",
      SigningProtocol: "sigv4",
    });
    expect(s3Origin).toMatchObject({
      DomainName: { "Fn::GetAtt": [bucketId, "RegionalDomainName"] },
      OriginAccessControlId: { "Fn::GetAtt": [oacId, "Id"] },
      S3OriginConfig: { OriginAccessIdentity: "" },
    });
    expect(config.DefaultCacheBehavior).toMatchObject({
      TargetOriginId: s3Origin?.Id,
      ViewerProtocolPolicy: "redirect-to-https",
      AllowedMethods: ["GET", "HEAD"],
      ResponseHeadersPolicyId: { Ref: logicalIdOf(adminConsole.headers) },
      FunctionAssociations: [
        {
          EventType: "viewer-request",
          FunctionARN: { "Fn::GetAtt": [logicalIdOf(adminConsole.rewrite), "FunctionARN"] },
        },
      ],
    });
    expect(config.Logging).toMatchObject({ Prefix: "cloudfront/" });
  });

  it("routes /v1/* to the HTTP API on the same origin, uncached, with every method and the caller's headers", () => {
    // Assess
    const config = distributionConfig();
    expect(config.CacheBehaviors).toHaveLength(1);
    const api = config.CacheBehaviors[0];
    const apiOrigin = config.Origins.find((origin) => origin.Id === api?.TargetOriginId);
    expect(api).toMatchObject({
      PathPattern: "/v1/*",
      ViewerProtocolPolicy: "https-only",
      AllowedMethods: expect.arrayContaining(["GET", "POST", "PUT"]),
      // Managed policies: CachingDisabled, AllViewerExceptHostHeader.
      CachePolicyId: "4135ea2d-6df8-44a3-9df3-4b5a84be39ad",
      OriginRequestPolicyId: "b689b0a8-53d0-40ab-baf2-68738e2966ac",
      ResponseHeadersPolicyId: { Ref: logicalIdOf(adminConsole.headers) },
    });
    expect(apiOrigin).toMatchObject({
      CustomOriginConfig: { OriginProtocolPolicy: "https-only", OriginSSLProtocols: ["TLSv1.2"] },
    });
    expect(JSON.stringify(apiOrigin?.DomainName)).toContain(logicalIdOf(stack.api));
  });

  it("sends a CSP without inline script or framing, HSTS, nosniff and no referrer", () => {
    // Assess
    const config = resources[logicalIdOf(adminConsole.headers)]?.Properties?.ResponseHeadersPolicyConfig as {
      SecurityHeadersConfig: Record<string, Record<string, unknown>>;
    };
    const security = config.SecurityHeadersConfig;
    const csp = JSON.stringify(security.ContentSecurityPolicy?.ContentSecurityPolicy);
    expect(csp).toContain("default-src 'none'; script-src 'self'; style-src 'self'");
    expect(csp).not.toContain("unsafe-inline");
    expect(csp).not.toContain("unsafe-eval");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).toContain("base-uri 'none'");
    // The OIDC client reads the issuer's discovery document and posts to the login domain's token endpoint.
    expect(csp).toContain("connect-src 'self' https://cognito-idp.");
    expect(csp).toContain(logicalIdOf(adminAuth.domain));
    expect(security.StrictTransportSecurity).toEqual({
      AccessControlMaxAgeSec: 63_072_000,
      IncludeSubdomains: true,
      Override: true,
    });
    expect(security.FrameOptions).toEqual({ FrameOption: "DENY", Override: true });
    expect(security.ContentTypeOptions).toEqual({ Override: true });
    expect(security.ReferrerPolicy).toEqual({ ReferrerPolicy: "no-referrer", Override: true });
  });

  it("rewrites folder paths to index.html and sends / and /admin to the console", () => {
    // Prepare: run the CloudFront Function's code as CloudFront would
    const code = resources[logicalIdOf(adminConsole.rewrite)]?.Properties?.FunctionCode as string;
    const handler = new Function(`${code}; return handler;`)() as (event: unknown) => Record<string, unknown>;
    const viewerRequest = (uri: string) => handler({ request: { uri, headers: {} } });

    // Assess
    expect(viewerRequest("/")).toMatchObject({
      statusCode: 302,
      headers: { location: { value: "/admin/" } },
    });
    expect(viewerRequest("/admin")).toMatchObject({ statusCode: 302 });
    expect(viewerRequest("/admin/")).toEqual({ uri: "/admin/index.html", headers: {} });
    expect(viewerRequest("/admin/app-ABC123.js")).toEqual({ uri: "/admin/app-ABC123.js", headers: {} });
  });

  it("deploys the built console and its config.json under admin/, then invalidates /admin/*", () => {
    // Assess
    const deployment = Object.values(resources).find(
      (resource) => resource.Type === "Custom::CDKBucketDeployment",
    );
    expect(deployment?.Properties).toMatchObject({
      DestinationBucketName: { Ref: bucketId },
      DestinationBucketKeyPrefix: "admin/",
      DistributionId: { Ref: distributionId },
      DistributionPaths: ["/admin/*"],
      Prune: true,
    });
    // config.json is written at deploy time from the pool's issuer, the client and the login domain.
    const markers = JSON.stringify(deployment?.Properties?.SourceMarkers);
    expect(markers).toContain(`"Fn::GetAtt":["${logicalIdOf(adminAuth.userPool)}","ProviderURL"]`);
    expect(markers).toContain(`"Ref":"${logicalIdOf(adminAuth.client)}"`);
    expect(markers).toContain(`"Ref":"${logicalIdOf(adminAuth.domain)}"`);
  });

  it("limits the upload handler's writes to the console bucket", () => {
    // Prepare
    const { roleId } = consoleDeploymentHandler(stack);
    const statements = allStatements(resources).filter(({ policy }) =>
      JSON.stringify(resources[policy]?.Properties?.Roles ?? policy).includes(roleId),
    );

    // Assess
    const writes = statements.filter(({ statement }) =>
      actionsOf(statement).some((action) => /^s3:(Put|Delete|Abort)/.test(action)),
    );
    expect(writes.length).toBeGreaterThan(0);
    for (const { statement } of writes) {
      expect(JSON.stringify(statement.Resource)).toContain(bucketId);
      expect(JSON.stringify(statement.Resource)).not.toContain("cdk-hnb659fds-assets");
    }
    const onEverything = statements
      .filter(({ statement }) => statement.Resource === "*")
      .flatMap(({ statement }) => actionsOf(statement));
    expect(onEverything.sort()).toEqual(["cloudfront:CreateInvalidation", "cloudfront:GetInvalidation"]);
  });

  it("builds the console into the uploaded folder: a page naming its hashed script and stylesheet", () => {
    // Prepare: the folder synthesis uploaded (named after its content)
    const folder = consoleAssetDirectory(path.join(REPOSITORY_ROOT, ".build", "console"));
    const files = readdirSync(folder);
    const page = readFileSync(path.join(folder, "index.html"), "utf8");

    // Assess
    const script = files.find((name) => /^app-[A-Z0-9]+\.js$/.test(name));
    const style = files.find((name) => /^app-[A-Z0-9]+\.css$/.test(name));
    expect(files.sort()).toEqual([script, style, "index.html"].sort());
    expect(page).toContain(`<script type="module" src="${script}">`);
    expect(page).toContain(`<link rel="stylesheet" href="${style}">`);
    const staged = JSON.stringify(template.toJSON().Resources);
    expect(staged).toContain("Custom::CDKBucketDeployment");
    expect(page).not.toMatch(/<script>|\son\w+="/);
  });

  it("outputs the console URL and the login domain", () => {
    // Assess
    const outputs = template.toJSON().Outputs as Record<string, { Value: unknown }>;
    expect(outputs.AdminConsoleUrl?.Value).toEqual(consoleUrl);
    expect(JSON.stringify(outputs.AdminLoginDomain?.Value)).toContain(logicalIdOf(adminAuth.domain));
  });

  it("leaves no cdk-nag finding on the console's resources unacknowledged", () => {
    // Act
    const findings = awsSolutionsFindings(stack).filter(
      (finding) => finding.severity === "error" || finding.severity === "warning",
    );

    // Assess
    expect(findings).toEqual([]);
  });
});

describe("Staff sign-in through Cognito managed login", () => {
  it("creates the managed login domain from the stage's prefix, with Cognito's default style", () => {
    // Assess
    template.hasResourceProperties("AWS::Cognito::UserPoolDomain", {
      Domain: "loyalty-demo-staff",
      ManagedLoginVersion: 2,
      UserPoolId: { Ref: logicalIdOf(adminAuth.userPool) },
    });
    template.hasResourceProperties("AWS::Cognito::ManagedLoginBranding", {
      UserPoolId: { Ref: logicalIdOf(adminAuth.userPool) },
      ClientId: { Ref: logicalIdOf(adminAuth.client) },
      UseCognitoProvidedValues: true,
    });
  });

  it("gives the console's client the code flow only, no secret, and the console's URLs to return to", () => {
    // Assess
    template.hasResourceProperties("AWS::Cognito::UserPoolClient", {
      GenerateSecret: false,
      AllowedOAuthFlowsUserPoolClient: true,
      AllowedOAuthFlows: ["code"],
      AllowedOAuthScopes: ["openid", "email", "profile"],
      SupportedIdentityProviders: ["COGNITO"],
      CallbackURLs: [consoleUrl, "https://staff.example.com/admin/"],
      LogoutURLs: [consoleUrl, "https://staff.example.com/admin/"],
    });
  });

  it.each([
    [{ domainPrefix: "my-cognito-login" }, /must not contain aws, amazon or cognito/],
    [{ domainPrefix: "Shop_Staff" }, /adminConsole\.domainPrefix/],
    [{ domainPrefix: "shop-staff", extraOrigins: ["http://staff.example.com"] }, /https origin/],
    [{ domainPrefix: "shop-staff", extraOrigins: ["https://staff.example.com/admin"] }, /without a path/],
  ])("refuses the stage's console settings %j", (adminConsole, message) => {
    // Assess
    expect(() => parseStageConfig("demo", { ...demo, adminConsole })).toThrow(message);
  });

  it.each([
    [{ name: "Staff.Example.com", certificateArn: certificate }, /lower-case host name/],
    [
      { name: "staff.example.com", certificateArn: certificate.replace("us-east-1", "ap-northeast-1") },
      /us-east-1/,
    ],
  ])("refuses the custom domain %j", (customDomain, message) => {
    // Assess
    expect(() =>
      parseStageConfig("demo", { ...demo, adminConsole: { domainPrefix: "shop-staff", customDomain } }),
    ).toThrow(message);
  });

  it("accepts a localhost origin for a console run against a deployed pool", () => {
    // Act
    const parsed = parseStageConfig("demo", {
      ...demo,
      adminConsole: { domainPrefix: "shop-staff", extraOrigins: ["http://localhost:3000"] },
    });

    // Assess
    expect(parsed.config.adminConsole.extraOrigins).toEqual(["http://localhost:3000"]);
  });
});

describe("Staff console on a custom domain", () => {
  // Prepare
  const custom = parseStageConfig("demo", {
    ...demo,
    adminConsole: {
      ...demo.adminConsole,
      customDomain: { name: "staff.myshop.example", certificateArn: certificate },
    },
  });
  const built = buildTestStack({ stage: custom });
  const config = (built.template.toJSON().Resources as Resources)[
    logicalIdOf(built.stack.adminConsole.distribution)
  ]?.Properties?.DistributionConfig as Record<string, unknown>;

  it("serves the host name with its certificate and requires TLS 1.2 of viewers", () => {
    // Assess
    expect(config.Aliases).toEqual(["staff.myshop.example"]);
    expect(config.ViewerCertificate).toEqual({
      AcmCertificateArn: certificate,
      MinimumProtocolVersion: "TLSv1.2_2021",
      SslSupportMethod: "sni-only",
    });
  });

  it("sends staff back to the host name after sign-in and sign-out, and outputs it", () => {
    // Assess
    built.template.hasResourceProperties("AWS::Cognito::UserPoolClient", {
      CallbackURLs: ["https://staff.myshop.example/admin/"],
      LogoutURLs: ["https://staff.myshop.example/admin/"],
    });
    const outputs = built.template.toJSON().Outputs as Record<string, { Value: unknown }>;
    expect(outputs.AdminConsoleUrl?.Value).toBe("https://staff.myshop.example/admin/");
  });

  it("needs no acknowledgement of the TLS floor (CFR4) and passes cdk-nag", () => {
    // Assess
    const findings = awsSolutionsFindings(built.stack).filter(
      (finding) => finding.severity === "error" || finding.severity === "warning",
    );
    expect(findings).toEqual([]);
    const acknowledged = built.stack.adminConsole.distribution.node.metadata
      .flatMap((entry) => Object.keys((entry.data ?? {}) as Record<string, string>))
      .filter((id) => id.includes("CFR4"));
    expect(acknowledged).toEqual([]);
  });
});
