import { importJWK, type JWK, SignJWT } from "jose";
import { type AdminRole, adminGroups } from "./admin";

/** Signs an admin access token like Cognito's (RS256, `cognito:groups`), for the local issuer. */
export async function mintAdminToken(options: {
  email: string;
  role: AdminRole;
  issuer: string;
  audience: string;
  privateKey: JWK;
  ttlSeconds?: number;
}): Promise<string> {
  const key = await importJWK(options.privateKey, "RS256");
  const groups = options.role === "admin" ? [adminGroups.admin, adminGroups.viewer] : [adminGroups.viewer];
  return new SignJWT({ email: options.email, "cognito:groups": groups, token_use: "access" })
    .setProtectedHeader({ alg: "RS256", kid: options.privateKey.kid ?? "local", typ: "JWT" })
    .setIssuer(options.issuer)
    .setAudience(options.audience)
    .setSubject(`admin:${options.email}`)
    .setIssuedAt()
    .setExpirationTime(`${options.ttlSeconds ?? 3600}s`)
    .sign(key);
}
