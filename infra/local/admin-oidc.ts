import { createHash, randomBytes } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { importJWK, SignJWT } from "jose";
import { type AdminRole, adminGroups } from "../../shared/auth/admin";
import { mintAdminToken } from "../../shared/auth/admin-token";
import { localAdminIssuer } from "./admin-issuer";
import type { GatewayMount } from "./gateway";

/**
 * The local admin issuer as a small OpenID Connect provider, enough for the staff console's real
 * OIDC client (oidc-client-ts) to sign in the way it does against Cognito's managed login:
 * discovery, an authorize page where a demo staff member is picked, the token endpoint with PKCE
 * (S256 only, as Cognito) and refresh tokens, the JWKS and a Cognito-style `/logout`.
 *
 * Tokens carry the issuer's fixed `iss` (the local gateway verifies it) while the endpoints live
 * under the gateway's own origin. LOCAL ONLY: anyone can pick any role here.
 */

export const ADMIN_OIDC_PREFIX = "/admin-issuer";

/** Demo staff offered on the authorize page, with the role preselected for each. */
export const demoStaff: ReadonlyArray<{ email: string; role: AdminRole }> = [
  { email: "ops@example.com", role: "admin" },
  { email: "support@example.com", role: "admin" },
  { email: "viewer@example.com", role: "viewer" },
];

const CODE_TTL_MS = 60_000;
const TOKEN_TTL_SECONDS = 3600;
const REFRESH_TTL_MS = 12 * 3600_000;

interface Grant {
  email: string;
  role: AdminRole;
  authTime: number;
}

interface PendingCode extends Grant {
  clientId: string;
  redirectUri: string;
  codeChallenge: string;
  nonce: string | undefined;
  expiresAt: number;
}

/** Redirect URIs the console may use: its page on the gateway's origin (Cognito: the callback URLs). */
const consoleUrls = (origin: string) => [`${origin}/admin/`];

const htmlEscape = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function sendJson(
  response: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
) {
  response.writeHead(status, {
    "content-type": "application/json",
    "cache-control": "no-store",
    ...headers,
  });
  response.end(JSON.stringify(body));
}

/** OAuth errors of the token endpoint (RFC 6749 section 5.2). */
const oauthError = (response: ServerResponse, status: number, error: string, description: string) =>
  sendJson(response, status, { error, error_description: description });

const pageHeaders = {
  "content-type": "text/html; charset=utf-8",
  "cache-control": "no-store",
  "content-security-policy":
    "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
  "x-frame-options": "DENY",
};

function sendPage(response: ServerResponse, status: number, title: string, body: string) {
  response.writeHead(status, pageHeaders);
  response.end(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${htmlEscape(title)}</title>
<style>
body{font-family:system-ui,sans-serif;max-width:32rem;margin:3rem auto;padding:0 1rem;color:#1f2328}
h1{font-size:1.4rem}fieldset{border:1px solid #d0d7de;border-radius:6px;margin:0 0 1rem;padding:.75rem 1rem}
label{display:block;margin:.35rem 0}button{font:inherit;padding:.5rem 1.25rem;border-radius:6px;border:0;background:#0b57d0;color:#fff;cursor:pointer}
button:focus-visible{outline:3px solid #1f2328;outline-offset:2px}.note{color:#59636e;font-size:.9rem}
</style></head><body><main>${body}</main></body></html>`);
}

async function readForm(request: IncomingMessage): Promise<URLSearchParams> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    size += (chunk as Buffer).length;
    if (size > 16_384) throw new Error("form too large");
    chunks.push(chunk as Buffer);
  }
  return new URLSearchParams(Buffer.concat(chunks).toString("utf8"));
}

const s256 = (verifier: string) => createHash("sha256").update(verifier).digest("base64url");

export interface LocalOidcProvider extends GatewayMount {
  /** The discovery URL's base, what the console's OIDC client calls its authority. */
  authority(origin: string): string;
}

export function createLocalOidcProvider(): LocalOidcProvider {
  const codes = new Map<string, PendingCode>();
  const refreshTokens = new Map<string, Grant & { expiresAt: number }>();
  const signingKey = importJWK(localAdminIssuer.privateKey, "RS256");
  const clientId = localAdminIssuer.audience;
  const base = (origin: string) => `${origin}${ADMIN_OIDC_PREFIX}`;

  const discovery = (origin: string) => ({
    issuer: localAdminIssuer.issuer,
    authorization_endpoint: `${base(origin)}/oauth2/authorize`,
    token_endpoint: `${base(origin)}/oauth2/token`,
    jwks_uri: `${base(origin)}/.well-known/jwks.json`,
    end_session_endpoint: `${base(origin)}/logout`,
    response_types_supported: ["code"],
    grant_types_supported: ["authorization_code", "refresh_token"],
    subject_types_supported: ["public"],
    id_token_signing_alg_values_supported: ["RS256"],
    token_endpoint_auth_methods_supported: ["none"],
    code_challenge_methods_supported: ["S256"],
    scopes_supported: ["openid", "email", "profile"],
    claims_supported: ["sub", "email", "cognito:groups"],
  });

  async function tokens(grant: Grant, nonce: string | undefined) {
    const groups = grant.role === "admin" ? [adminGroups.admin, adminGroups.viewer] : [adminGroups.viewer];
    const idToken = await new SignJWT({
      email: grant.email,
      "cognito:groups": groups,
      token_use: "id",
      auth_time: grant.authTime,
      ...(nonce ? { nonce } : {}),
    })
      .setProtectedHeader({ alg: "RS256", kid: localAdminIssuer.privateKey.kid ?? "local", typ: "JWT" })
      .setIssuer(localAdminIssuer.issuer)
      .setAudience(clientId)
      .setSubject(`admin:${grant.email}`)
      .setIssuedAt()
      .setExpirationTime(`${TOKEN_TTL_SECONDS}s`)
      .sign(await signingKey);
    const accessToken = await mintAdminToken({
      email: grant.email,
      role: grant.role,
      issuer: localAdminIssuer.issuer,
      audience: clientId,
      privateKey: localAdminIssuer.privateKey,
      ttlSeconds: TOKEN_TTL_SECONDS,
    });
    return {
      id_token: idToken,
      access_token: accessToken,
      token_type: "Bearer",
      expires_in: TOKEN_TTL_SECONDS,
    };
  }

  /** Checks an authorize request; an error names the parameter (never redirected to an unknown URI). */
  function authorizeRequest(params: URLSearchParams, origin: string) {
    const redirectUri = params.get("redirect_uri") ?? "";
    if (params.get("client_id") !== clientId)
      return { error: `unknown client_id (this issuer knows ${clientId})` };
    if (!consoleUrls(origin).includes(redirectUri)) {
      return {
        error: `redirect_uri must be one of the console's callback URLs: ${consoleUrls(origin).join(", ")}`,
      };
    }
    if (params.get("response_type") !== "code") return { error: "response_type must be code" };
    if (params.get("code_challenge_method") !== "S256")
      return { error: "code_challenge_method must be S256 (PKCE)" };
    const codeChallenge = params.get("code_challenge") ?? "";
    if (!/^[A-Za-z0-9_-]{43}$/.test(codeChallenge))
      return { error: "code_challenge must be a base64url SHA-256" };
    const scopes = (params.get("scope") ?? "").split(" ");
    if (!scopes.includes("openid")) return { error: "scope must include openid" };
    return {
      request: {
        clientId,
        redirectUri,
        codeChallenge,
        state: params.get("state") ?? undefined,
        nonce: params.get("nonce") ?? undefined,
      },
    };
  }

  function authorizePage(response: ServerResponse, params: URLSearchParams) {
    const hidden = [
      "client_id",
      "redirect_uri",
      "response_type",
      "code_challenge",
      "code_challenge_method",
      "scope",
      "state",
      "nonce",
    ]
      .filter((name) => params.has(name))
      .map((name) => `<input type="hidden" name="${name}" value="${htmlEscape(params.get(name) ?? "")}">`)
      .join("");
    const users = demoStaff
      .map(
        (user, index) =>
          `<label><input type="radio" name="user" value="${index}"${index === 0 ? " checked" : ""}> ${htmlEscape(user.email)}</label>`,
      )
      .join("");
    sendPage(
      response,
      200,
      "Sign in to the loyalty console (local)",
      `<h1>Sign in to the loyalty console</h1>
<p class="note">Local stand-in for Cognito's managed login: pick a demo staff member and a role. No password.</p>
<form method="post">${hidden}
<fieldset><legend>Staff member</legend>${users}</fieldset>
<fieldset><legend>Role</legend>
<label><input type="radio" name="role" value="admin" checked> loyalty-admin (read and change)</label>
<label><input type="radio" name="role" value="viewer"> loyalty-viewer (read only)</label>
</fieldset>
<button type="submit">Sign in</button></form>`,
    );
  }

  async function authorize(request: IncomingMessage, response: ServerResponse, url: URL, origin: string) {
    const params = request.method === "POST" ? await readForm(request) : url.searchParams;
    const checked = authorizeRequest(params, origin);
    if (!checked.request) {
      return sendPage(
        response,
        400,
        "Sign-in request refused",
        `<h1>Sign-in request refused</h1><p>${htmlEscape(checked.error)}</p>`,
      );
    }
    if (request.method !== "POST") return authorizePage(response, params);
    const user = demoStaff[Number(params.get("user"))];
    const role = params.get("role");
    if (!user || (role !== "admin" && role !== "viewer")) {
      return sendPage(
        response,
        400,
        "Sign-in refused",
        "<h1>Sign-in refused</h1><p>Pick a staff member and a role.</p>",
      );
    }
    const code = randomBytes(24).toString("base64url");
    codes.set(code, {
      email: user.email,
      role,
      authTime: Math.floor(Date.now() / 1000),
      clientId: checked.request.clientId,
      redirectUri: checked.request.redirectUri,
      codeChallenge: checked.request.codeChallenge,
      nonce: checked.request.nonce,
      expiresAt: Date.now() + CODE_TTL_MS,
    });
    const target = new URL(checked.request.redirectUri);
    target.searchParams.set("code", code);
    if (checked.request.state) target.searchParams.set("state", checked.request.state);
    response.writeHead(302, { location: target.href, "cache-control": "no-store" });
    response.end();
  }

  async function token(request: IncomingMessage, response: ServerResponse) {
    if (request.method !== "POST")
      return oauthError(response, 405, "invalid_request", "POST the token request");
    if (!/^application\/x-www-form-urlencoded/.test(request.headers["content-type"] ?? "")) {
      return oauthError(
        response,
        400,
        "invalid_request",
        "Content-Type must be application/x-www-form-urlencoded",
      );
    }
    const form = await readForm(request);
    if (form.get("client_id") !== clientId)
      return oauthError(response, 401, "invalid_client", "unknown client_id");
    const grantType = form.get("grant_type");
    if (grantType === "authorization_code") {
      const code = form.get("code") ?? "";
      const pending = codes.get(code);
      // A code is good for one exchange only, whatever its outcome.
      codes.delete(code);
      if (!pending || pending.expiresAt < Date.now()) {
        return oauthError(response, 400, "invalid_grant", "the code is unknown, used or expired");
      }
      if (form.get("redirect_uri") !== pending.redirectUri) {
        return oauthError(
          response,
          400,
          "invalid_grant",
          "redirect_uri differs from the authorize request's",
        );
      }
      const verifier = form.get("code_verifier") ?? "";
      if (!/^[A-Za-z0-9._~-]{43,128}$/.test(verifier) || s256(verifier) !== pending.codeChallenge) {
        return oauthError(
          response,
          400,
          "invalid_grant",
          "code_verifier does not match the code_challenge (S256)",
        );
      }
      const refreshToken = randomBytes(32).toString("base64url");
      const grant: Grant = { email: pending.email, role: pending.role, authTime: pending.authTime };
      refreshTokens.set(refreshToken, { ...grant, expiresAt: Date.now() + REFRESH_TTL_MS });
      return sendJson(response, 200, {
        ...(await tokens(grant, pending.nonce)),
        refresh_token: refreshToken,
      });
    }
    if (grantType === "refresh_token") {
      const stored = refreshTokens.get(form.get("refresh_token") ?? "");
      if (!stored || stored.expiresAt < Date.now()) {
        return oauthError(response, 400, "invalid_grant", "the refresh token is unknown, revoked or expired");
      }
      // Cognito answers a refresh with new ID and access tokens and no new refresh token.
      return sendJson(response, 200, await tokens(stored, undefined));
    }
    return oauthError(
      response,
      400,
      "unsupported_grant_type",
      "grant_type must be authorization_code or refresh_token",
    );
  }

  /** Cognito's `/logout?client_id&logout_uri`; OIDC's `post_logout_redirect_uri` is accepted too. */
  function logout(response: ServerResponse, url: URL, origin: string) {
    const target =
      url.searchParams.get("logout_uri") ?? url.searchParams.get("post_logout_redirect_uri") ?? "";
    if (url.searchParams.get("client_id") !== clientId || !consoleUrls(origin).includes(target)) {
      return sendPage(
        response,
        400,
        "Sign-out request refused",
        `<h1>Sign-out request refused</h1><p>client_id must be ${htmlEscape(clientId)} and logout_uri one of the console's sign-out URLs.</p>`,
      );
    }
    // Sessions live in the console only; the refresh tokens of that browser are forgotten there.
    response.writeHead(302, { location: target, "cache-control": "no-store" });
    response.end();
  }

  return {
    prefix: ADMIN_OIDC_PREFIX,
    authority: base,
    async handle(request, response, origin) {
      const url = new URL(request.url ?? "/", origin);
      const route = url.pathname.slice(ADMIN_OIDC_PREFIX.length);
      try {
        switch (route) {
          case "/.well-known/openid-configuration":
            return sendJson(response, 200, discovery(origin), { "access-control-allow-origin": "*" });
          case "/.well-known/jwks.json":
            return sendJson(
              response,
              200,
              { keys: [localAdminIssuer.publicKey] },
              { "access-control-allow-origin": "*" },
            );
          case "/oauth2/authorize":
            return await authorize(request, response, url, origin);
          case "/oauth2/token":
            return await token(request, response);
          case "/logout":
            return logout(response, url, origin);
          default:
            return sendJson(response, 404, { message: "Not Found" });
        }
      } catch (error) {
        return oauthError(
          response,
          400,
          "invalid_request",
          error instanceof Error ? error.message : "bad request",
        );
      }
    },
  };
}
