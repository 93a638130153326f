import { Duration, RemovalPolicy } from "aws-cdk-lib";
import { HttpJwtAuthorizer } from "aws-cdk-lib/aws-apigatewayv2-authorizers";
import {
  AccountRecovery,
  CfnManagedLoginBranding,
  FeaturePlan,
  ManagedLoginVersion,
  Mfa,
  OAuthScope,
  StandardThreatProtectionMode,
  UserPool,
  type UserPoolClient,
  UserPoolClientIdentityProvider,
  type UserPoolDomain,
  UserPoolGroup,
} from "aws-cdk-lib/aws-cognito";
import { Construct } from "constructs";
import { type AdminRole, adminGroups } from "../../shared/auth/admin";

export interface AdminAuthProps {
  /** Names the pool and the client after the stack and stage. */
  readonly namePrefix: string;
  /** Prefix of the managed login domain, `https://<prefix>.auth.<region>.amazoncognito.com`. */
  readonly domainPrefix: string;
  /**
   * The staff console's URLs (`https://<host>/admin/`): where managed login may send staff back
   * after sign-in (callback) and after sign-out. May hold tokens (the distribution's domain).
   */
  readonly consoleUrls: readonly string[];
}

/** What each group may do, as the handlers enforce it (shared/auth/admin.ts). */
const groupDescriptions: Readonly<Record<AdminRole, string>> = {
  viewer: "Shop staff who search and inspect coupons, conversions and audit trails",
  admin: "Shop staff who also cancel coupons and adjust points",
};

/**
 * Shop staff sign-in for the admin routes: a Cognito user pool whose users an administrator
 * invites (no self sign-up), with TOTP MFA required and Cognito's threat protection enforced,
 * managed login on a Cognito domain, one app client for the staff console (authorization code
 * flow with PKCE, no secret), and a group per role. The HTTP API's JWT authorizer checks
 * signature, issuer, audience and expiry; the handlers check the role from `cognito:groups`.
 */
export class AdminAuth extends Construct {
  readonly userPool: UserPool;
  readonly client: UserPoolClient;
  /** The managed login domain the console sends staff to. */
  readonly domain: UserPoolDomain;
  readonly groups: Readonly<Record<AdminRole, UserPoolGroup>>;
  /** `https://cognito-idp.<region>.amazonaws.com/<poolId>`, the `iss` of the pool's tokens. */
  readonly issuer: string;
  readonly authorizer: HttpJwtAuthorizer;

  constructor(scope: Construct, id: string, props: AdminAuthProps) {
    super(scope, id);

    this.userPool = new UserPool(this, "UserPool", {
      userPoolName: `${props.namePrefix}-admins`,
      selfSignUpEnabled: false,
      signInAliases: { email: true },
      signInCaseSensitive: false,
      standardAttributes: { email: { required: true, mutable: true } },
      autoVerify: { email: true },
      accountRecovery: AccountRecovery.EMAIL_ONLY,
      passwordPolicy: {
        minLength: 14,
        requireLowercase: true,
        requireUppercase: true,
        requireDigits: true,
        requireSymbols: true,
        tempPasswordValidity: Duration.days(3),
      },
      // Staff can cancel coupons and grant points: a stolen password alone must not be enough.
      mfa: Mfa.REQUIRED,
      mfaSecondFactor: { otp: true, sms: false },
      // Plus is billed per monthly active user; a shop has a handful of staff users.
      featurePlan: FeaturePlan.PLUS,
      standardThreatProtectionMode: StandardThreatProtectionMode.FULL_FUNCTION,
      deletionProtection: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });

    this.client = this.userPool.addClient("AdminConsoleClient", {
      userPoolClientName: `${props.namePrefix}-admin-console`,
      // A browser console (and the CLI for operators) cannot keep a client secret; the code flow
      // is protected by PKCE instead, which the console always sends.
      generateSecret: false,
      authFlows: { userSrp: true, userPassword: true },
      oAuth: {
        flows: { authorizationCodeGrant: true, implicitCodeGrant: false },
        scopes: [OAuthScope.OPENID, OAuthScope.EMAIL, OAuthScope.PROFILE],
        callbackUrls: [...props.consoleUrls],
        logoutUrls: [...props.consoleUrls],
      },
      supportedIdentityProviders: [UserPoolClientIdentityProvider.COGNITO],
      preventUserExistenceErrors: true,
      enableTokenRevocation: true,
      accessTokenValidity: Duration.hours(1),
      idTokenValidity: Duration.hours(1),
      refreshTokenValidity: Duration.hours(12),
    });

    // Managed login (the newer sign-in pages, which handle TOTP MFA set-up and password changes).
    this.domain = this.userPool.addDomain("ManagedLoginDomain", {
      cognitoDomain: { domainPrefix: props.domainPrefix },
      managedLoginVersion: ManagedLoginVersion.NEWER_MANAGED_LOGIN,
    });
    // Managed login shows an app client's pages only once it has a style; Cognito's default one.
    const branding = new CfnManagedLoginBranding(this, "ManagedLoginBranding", {
      userPoolId: this.userPool.userPoolId,
      clientId: this.client.userPoolClientId,
      useCognitoProvidedValues: true,
    });
    branding.node.addDependency(this.domain);

    this.groups = {
      viewer: this.group("viewer", 20),
      admin: this.group("admin", 10),
    };

    this.issuer = this.userPool.userPoolProviderUrl;
    // Cognito ID tokens carry the client id in `aud`, access tokens in `client_id`; the HTTP API
    // accepts either against the audience list.
    this.authorizer = new HttpJwtAuthorizer("AdminJwtAuthorizer", this.issuer, {
      authorizerName: `${props.namePrefix}-admin-jwt`,
      jwtAudience: [this.client.userPoolClientId],
      identitySource: ["$request.header.Authorization"],
    });
  }

  private group(role: AdminRole, precedence: number): UserPoolGroup {
    return new UserPoolGroup(this, `${role === "admin" ? "Admin" : "Viewer"}Group`, {
      userPool: this.userPool,
      groupName: adminGroups[role],
      description: groupDescriptions[role],
      precedence,
    });
  }
}
