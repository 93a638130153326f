import { importJWK, SignJWT } from "jose";
import { localAdminIssuer } from "../../infra/local/admin-issuer";
import type { AdminRole } from "../../shared/auth/admin";
import { mintAdminToken } from "../../shared/auth/admin-token";

/**
 * Admin tokens of the local issuer for the admin tests: the two roles, and a signed-in member of
 * staff without any loyalty group (what the JWT authorizer lets through but the role check must stop).
 */
export type StaffRole = AdminRole | "none";

export async function staffToken(role: StaffRole, email = "ops@example.com"): Promise<string> {
  if (role !== "none") {
    return mintAdminToken({
      email,
      role,
      issuer: localAdminIssuer.issuer,
      audience: localAdminIssuer.audience,
      privateKey: localAdminIssuer.privateKey,
    });
  }
  return new SignJWT({ email, "cognito:groups": ["marketing"], token_use: "access" })
    .setProtectedHeader({ alg: "RS256", kid: localAdminIssuer.privateKey.kid ?? "local", typ: "JWT" })
    .setIssuer(localAdminIssuer.issuer)
    .setAudience(localAdminIssuer.audience)
    .setSubject(`admin:${email}`)
    .setIssuedAt()
    .setExpirationTime("1h")
    .sign(await importJWK(localAdminIssuer.privateKey, "RS256"));
}

export function staffApi(apiUrl: string) {
  return async (role: StaffRole, path: string, init: RequestInit & { email?: string } = {}) => {
    const { email, ...rest } = init;
    const headers = new Headers(rest.headers);
    headers.set("authorization", `Bearer ${await staffToken(role, email)}`);
    return fetch(`${apiUrl}${path}`, { ...rest, headers });
  };
}
