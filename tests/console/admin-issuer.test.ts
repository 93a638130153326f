import { createHash, randomBytes } from "node:crypto";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { createRemoteJWKSet, decodeJwt, jwtVerify } from "jose";
import { afterAll, describe, expect, it } from "vitest";
import { localAdminIssuer } from "../../infra/local/admin-issuer";
import { createLocalOidcProvider } from "../../infra/local/admin-oidc";

/**
 * The local admin issuer as an OIDC provider, at the protocol level: what the console's client
 * library relies on, and what it must refuse (a wrong PKCE verifier, a replayed code, an unknown
 * redirect URI), as Cognito's managed login would.
 */
const provider = createLocalOidcProvider();
const server = createServer((request, response) => void provider.handle(request, response, origin));
await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

const authority = provider.authority(origin);
const redirectUri = `${origin}/admin/`;
const clientId = localAdminIssuer.audience;

function pkce() {
  const verifier = randomBytes(32).toString("base64url");
  return { verifier, challenge: createHash("sha256").update(verifier).digest("base64url") };
}

function authorizeParams(challenge: string, overrides: Record<string, string> = {}) {
  return new URLSearchParams({
    client_id: clientId,
    redirect_uri: redirectUri,
    response_type: "code",
    scope: "openid email profile",
    code_challenge: challenge,
    code_challenge_method: "S256",
    state: "state-1",
    nonce: "nonce-1",
    ...overrides,
  });
}

/** Submits the authorize page's form as the chosen staff member; returns the redirect. */
async function signIn(challenge: string, user: number, role: "admin" | "viewer") {
  const form = authorizeParams(challenge);
  form.set("user", String(user));
  form.set("role", role);
  return fetch(`${authority}/oauth2/authorize`, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: form,
    redirect: "manual",
  });
}

const token = (body: Record<string, string>) =>
  fetch(`${authority}/oauth2/token`, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({ client_id: clientId, ...body }),
  });

async function codeFor(challenge: string, role: "admin" | "viewer" = "admin") {
  const response = await signIn(challenge, role === "admin" ? 0 : 2, role);
  expect(response.status).toBe(302);
  const location = new URL(response.headers.get("location") ?? "");
  expect(`${location.origin}${location.pathname}`).toBe(redirectUri);
  expect(location.searchParams.get("state")).toBe("state-1");
  return location.searchParams.get("code") ?? "";
}

describe("local admin issuer (OIDC)", () => {
  it("publishes discovery and the key the gateway verifies with", async () => {
    // Act
    const discovery = (await (await fetch(`${authority}/.well-known/openid-configuration`)).json()) as Record<
      string,
      unknown
    >;

    // Assess
    expect(discovery).toMatchObject({
      issuer: localAdminIssuer.issuer,
      authorization_endpoint: `${authority}/oauth2/authorize`,
      token_endpoint: `${authority}/oauth2/token`,
      end_session_endpoint: `${authority}/logout`,
      code_challenge_methods_supported: ["S256"],
    });
    const jwks = (await (await fetch(String(discovery.jwks_uri))).json()) as { keys: unknown[] };
    expect(jwks.keys).toEqual([localAdminIssuer.publicKey]);
  });

  it("shows the staff picker for a valid request, and refuses an unknown redirect URI without redirecting", async () => {
    // Act
    const page = await fetch(`${authority}/oauth2/authorize?${authorizeParams(pkce().challenge)}`);
    const refused = await fetch(
      `${authority}/oauth2/authorize?${authorizeParams(pkce().challenge, { redirect_uri: "https://evil.example/admin/" })}`,
      { redirect: "manual" },
    );
    const plain = await fetch(
      `${authority}/oauth2/authorize?${authorizeParams("x", { code_challenge_method: "plain" })}`,
    );

    // Assess
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain("ops@example.com");
    expect(html).toContain("viewer@example.com");
    expect(refused.status).toBe(400);
    expect(refused.headers.get("location")).toBeNull();
    expect(await refused.text()).toContain("redirect_uri must be one of the console&#39;s callback URLs");
    expect(plain.status).toBe(400);
    expect(await plain.text()).toContain("S256");
  });

  it("exchanges a code for tokens only with the matching PKCE verifier, and only once", async () => {
    // Prepare
    const { verifier, challenge } = pkce();
    const code = await codeFor(challenge);

    // Act
    const wrong = await token({
      grant_type: "authorization_code",
      code,
      redirect_uri: redirectUri,
      code_verifier: pkce().verifier,
    });
    const replayed = await token({
      grant_type: "authorization_code",
      code,
      redirect_uri: redirectUri,
      code_verifier: verifier,
    });

    // Assess: the wrong verifier burns the code, as a stolen code must not be retried
    expect(wrong.status).toBe(400);
    expect(await wrong.json()).toEqual({
      error: "invalid_grant",
      error_description: "code_verifier does not match the code_challenge (S256)",
    });
    expect(replayed.status).toBe(400);
    expect(((await replayed.json()) as { error: string }).error).toBe("invalid_grant");
  });

  it("issues ID and access tokens the admin routes accept, with the chosen role, and refreshes them", async () => {
    // Prepare
    const { verifier, challenge } = pkce();
    const code = await codeFor(challenge, "viewer");
    const jwks = createRemoteJWKSet(new URL(`${authority}/.well-known/jwks.json`));

    // Act
    const response = await token({
      grant_type: "authorization_code",
      code,
      redirect_uri: redirectUri,
      code_verifier: verifier,
    });
    const tokens = (await response.json()) as Record<string, string>;
    const refreshed = (await (
      await token({ grant_type: "refresh_token", refresh_token: tokens.refresh_token ?? "" })
    ).json()) as Record<string, string>;

    // Assess
    expect(response.status).toBe(200);
    const { payload } = await jwtVerify(tokens.id_token ?? "", jwks, {
      issuer: localAdminIssuer.issuer,
      audience: clientId,
    });
    expect(payload).toMatchObject({
      sub: "admin:viewer@example.com",
      email: "viewer@example.com",
      "cognito:groups": ["loyalty-viewer"],
      nonce: "nonce-1",
      token_use: "id",
    });
    await jwtVerify(tokens.access_token ?? "", jwks, { issuer: localAdminIssuer.issuer, audience: clientId });
    expect(decodeJwt(refreshed.id_token ?? "")).toMatchObject({
      sub: "admin:viewer@example.com",
      auth_time: payload.auth_time,
    });
    expect(refreshed.refresh_token).toBeUndefined();
    const unknown = await token({ grant_type: "refresh_token", refresh_token: "not-a-token" });
    expect(unknown.status).toBe(400);
  });

  it("signs out to the console only", async () => {
    // Act
    const back = await fetch(
      `${authority}/logout?${new URLSearchParams({ client_id: clientId, logout_uri: redirectUri })}`,
      { redirect: "manual" },
    );
    const elsewhere = await fetch(
      `${authority}/logout?${new URLSearchParams({ client_id: clientId, logout_uri: "https://evil.example/" })}`,
      { redirect: "manual" },
    );

    // Assess
    expect(back.status).toBe(302);
    expect(back.headers.get("location")).toBe(redirectUri);
    expect(elsewhere.status).toBe(400);
  });
});
