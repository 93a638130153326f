import { Match } from "aws-cdk-lib/assertions";
import { describe, expect, it } from "vitest";
import { type LoyaltyCatalog, routeKey } from "../../infra/stack";
import {
  awsSolutionsFindings,
  buildTestStack,
  everyCapabilityCatalog,
  logicalIdOf,
  type Resources,
} from "./helpers";

/** One route of every kind of caller, on the fixture's functions. */
const everyAuthCatalog: LoyaltyCatalog = {
  ...everyCapabilityCatalog,
  routes: [
    { method: "GET", path: "/health", function: "health", auth: "public", throttle: { rate: 10, burst: 20 } },
    {
      method: "GET",
      path: "/v1/me/points",
      function: "points",
      auth: "customer",
      throttle: { rate: 5, burst: 10 },
    },
    {
      method: "POST",
      path: "/v1/webhooks/shopify",
      function: "points",
      auth: "webhook",
      throttle: { rate: 20, burst: 40 },
    },
    {
      method: "GET",
      path: "/v1/admin/coupons",
      function: "points",
      auth: "admin:viewer",
      throttle: { rate: 5, burst: 10 },
    },
    {
      method: "POST",
      path: "/v1/admin/coupons/{code}/cancel",
      function: "points",
      auth: "admin:admin",
      throttle: { rate: 2, burst: 5 },
    },
  ],
};

describe("Admin authentication", () => {
  // Prepare
  const { stack, template } = buildTestStack({ catalog: everyAuthCatalog });
  const resources = template.toJSON().Resources as Resources;
  const routeByKey = (key: string) =>
    Object.values(resources).find(
      (resource) => resource.Type === "AWS::ApiGatewayV2::Route" && resource.Properties?.RouteKey === key,
    )?.Properties;

  it("creates an invite-only user pool with a strong password policy, TOTP MFA and threat protection", () => {
    // Assess
    template.hasResourceProperties("AWS::Cognito::UserPool", {
      AdminCreateUserConfig: { AllowAdminCreateUserOnly: true },
      MfaConfiguration: "ON",
      EnabledMfas: ["SOFTWARE_TOKEN_MFA"],
      UserPoolTier: "PLUS",
      UserPoolAddOns: { AdvancedSecurityMode: "ENFORCED" },
      DeletionProtection: "ACTIVE",
      Policies: {
        PasswordPolicy: Match.objectLike({
          MinimumLength: 14,
          RequireLowercase: true,
          RequireUppercase: true,
          RequireNumbers: true,
          RequireSymbols: true,
        }),
      },
    });
    const [pool] = Object.values(template.findResources("AWS::Cognito::UserPool"));
    expect(pool?.DeletionPolicy).toBe("Retain");
  });

  it("has one public admin console client without a secret", () => {
    // Assess
    template.resourceCountIs("AWS::Cognito::UserPoolClient", 1);
    template.hasResourceProperties("AWS::Cognito::UserPoolClient", {
      GenerateSecret: false,
      ExplicitAuthFlows: Match.arrayWith(["ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]),
      PreventUserExistenceErrors: "ENABLED",
    });
  });

  it("creates the loyalty-viewer and loyalty-admin groups the handlers read roles from", () => {
    // Assess
    const groups = Object.values(template.findResources("AWS::Cognito::UserPoolGroup")).map(
      (group) => group.Properties.GroupName,
    );
    expect(groups.sort()).toEqual(["loyalty-admin", "loyalty-viewer"]);
  });

  it("validates admin tokens against the pool's issuer and the console client as audience", () => {
    // Assess
    template.resourceCountIs("AWS::ApiGatewayV2::Authorizer", 1);
    template.hasResourceProperties("AWS::ApiGatewayV2::Authorizer", {
      AuthorizerType: "JWT",
      IdentitySource: ["$request.header.Authorization"],
      JwtConfiguration: {
        Issuer: { "Fn::GetAtt": [logicalIdOf(stack.adminAuth.userPool), "ProviderURL"] },
        Audience: [{ Ref: logicalIdOf(stack.adminAuth.client) }],
      },
    });
  });

  it("puts the JWT authorizer on every admin route", () => {
    // Prepare
    const authorizer = Object.keys(template.findResources("AWS::ApiGatewayV2::Authorizer"))[0];

    // Assess
    const adminRoutes = everyAuthCatalog.routes.filter((route) => route.auth.startsWith("admin:"));
    expect(adminRoutes).toHaveLength(2);
    for (const route of adminRoutes) {
      expect(routeByKey(routeKey(route))).toMatchObject({
        AuthorizationType: "JWT",
        AuthorizerId: { Ref: authorizer },
      });
    }
  });

  it("leaves customer, webhook and public routes to the function, with no authorizer", () => {
    // Assess
    const otherRoutes = everyAuthCatalog.routes.filter((route) => !route.auth.startsWith("admin:"));
    expect(otherRoutes.map((route) => route.auth).sort()).toEqual(["customer", "public", "webhook"]);
    for (const route of otherRoutes) {
      const properties = routeByKey(routeKey(route));
      expect(properties?.AuthorizationType).toBe("NONE");
      expect(properties?.AuthorizerId).toBeUndefined();
    }
  });

  it("outputs the user pool id, the client id and the issuer", () => {
    // Assess
    const outputs = template.toJSON().Outputs as Record<string, { Value: unknown }>;
    expect(outputs.AdminUserPoolId?.Value).toEqual({ Ref: logicalIdOf(stack.adminAuth.userPool) });
    expect(outputs.AdminUserPoolClientId?.Value).toEqual({ Ref: logicalIdOf(stack.adminAuth.client) });
    expect(outputs.AdminIssuer?.Value).toEqual({
      "Fn::GetAtt": [logicalIdOf(stack.adminAuth.userPool), "ProviderURL"],
    });
  });

  it("passes cdk-nag with admin and webhook routes present", () => {
    // Act
    const findings = awsSolutionsFindings(stack).filter(
      (finding) => finding.severity === "error" || finding.severity === "warning",
    );

    // Assess
    expect(findings).toEqual([]);
  });
});
