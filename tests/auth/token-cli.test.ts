import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { importJWK, jwtVerify } from "jose";
import { describe, expect, it } from "vitest";
import { localAdminIssuer } from "../../infra/local/admin-issuer";
import { demoCredentials, demoShop } from "../../infra/local/demo-data";
import { verifyCustomerSessionToken } from "../../shared/auth/session-token";

const execFileAsync = promisify(execFile);

/** Runs the CLI as `npm run token` does, with a clean override environment. */
async function runTokenCli(args: string[], env: Record<string, string> = {}) {
  const { SHOPIFY_APP_SECRET: _secret, SHOP_DOMAIN: _shop, ...inherited } = process.env;
  try {
    const { stdout, stderr } = await execFileAsync("npx", ["tsx", "scripts/token.ts", ...args], {
      env: { ...inherited, ...env },
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code?: number; stdout?: string; stderr?: string };
    return { code: failed.code ?? -1, stdout: failed.stdout ?? "", stderr: failed.stderr ?? "" };
  }
}

describe("scripts/token.ts", () => {
  it("prints only a token that verifies with the demo credentials", async () => {
    // Act
    const { code, stdout } = await runTokenCli(["--customer", "8840734670934"]);

    // Assess
    expect(code).toBe(0);
    expect(stdout).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+\n$/);
    const verified = await verifyCustomerSessionToken(stdout.trim(), {
      appSecret: demoCredentials.shopifyAppSecret,
      shopDomain: demoShop.domain,
      clientId: demoCredentials.shopifyClientId,
    });
    expect(verified.customerGid).toBe("gid://shopify/Customer/8840734670934");
  });

  it("accepts a gid, a ttl and overrides from the environment", async () => {
    const { code, stdout } = await runTokenCli(["--customer", "gid://shopify/Customer/42", "--ttl", "60"], {
      SHOPIFY_APP_SECRET: "override-secret",
      SHOP_DOMAIN: "override.myshopify.com",
    });

    expect(code).toBe(0);
    const verified = await verifyCustomerSessionToken(stdout.trim(), {
      appSecret: "override-secret",
      shopDomain: "override.myshopify.com",
    });
    expect(verified.customerId).toBe("42");
    const claims = JSON.parse(Buffer.from(stdout.split(".")[1] ?? "", "base64url").toString()) as {
      exp: number;
      iat: number;
    };
    expect(claims.exp - claims.iat).toBe(60);
  });

  it.each([
    [[]],
    [["--customer", "taro"]],
    [["--customer", "1", "--ttl", "0"]],
    [["--customer"]],
    [["--unknown"]],
    [["--admin", "ops@example.com", "--role", "owner"]],
  ])("exits 2 with usage and no stdout for %j", async (args) => {
    const { code, stdout, stderr } = await runTokenCli(args);

    expect(code).toBe(2);
    expect(stdout).toBe("");
    expect(stderr).toContain("Usage:");
  });

  it.each([
    ["admin", ["loyalty-admin", "loyalty-viewer"]],
    ["viewer", ["loyalty-viewer"]],
  ])("prints an admin token of the local issuer with the %s role", async (role, groups) => {
    const { code, stdout } = await runTokenCli(["--admin", "ops@example.com", "--role", role]);

    expect(code).toBe(0);
    const { payload } = await jwtVerify(stdout.trim(), await importJWK(localAdminIssuer.publicKey, "RS256"), {
      issuer: localAdminIssuer.issuer,
      audience: localAdminIssuer.audience,
    });
    expect(payload).toMatchObject({ email: "ops@example.com", "cognito:groups": groups });
  });
});
