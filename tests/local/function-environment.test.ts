import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { describe, expect, it } from "vitest";
import { functions } from "../../infra/catalog";
import { importWithOwnEnvironment, withheldVariables } from "../../infra/local/function-environment";

describe("Each local bundle's own environment, from its catalog capabilities", () => {
  it("withholds what the function's capabilities do not grant, in the local forms of secrets", () => {
    // The balance lookup reads the POS and verifies customers; it writes nothing and sends no mail.
    const withheld = withheldVariables(functions.points.capabilities);

    expect(withheld).toEqual(
      expect.arrayContaining([
        "AUDIT_TABLE",
        "CONVERT_STATE_MACHINE_ARN",
        "SHOPIFY_ADMIN_CREDENTIALS",
        "EMAIL_FROM",
      ]),
    );
    expect(withheld).not.toContain("SMAREGI_CLIENT_ID");
    expect(withheld).not.toContain("SHOPIFY_APP_SECRET");
  });

  it("hides the withheld variables only while the module loads", async () => {
    process.env.CONVERT_STATE_MACHINE_ARN = "arn:aws:states:ap-northeast-1:000000000000:stateMachine:x";
    // A module that reads its configuration when evaluated, as a bundle's handler does.
    const folder = mkdtempSync(join(tmpdir(), "function-environment-"));
    const file = join(folder, "index.mjs");
    writeFileSync(file, `export const seen = process.env.CONVERT_STATE_MACHINE_ARN ?? "unset";\n`);

    const module = await importWithOwnEnvironment<{ seen: string }>(pathToFileURL(file).href, [
      "loyaltyTableRead",
    ]);
    rmSync(folder, { recursive: true, force: true });

    expect(module.seen).toBe("unset");
    expect(process.env.CONVERT_STATE_MACHINE_ARN).toBe(
      "arn:aws:states:ap-northeast-1:000000000000:stateMachine:x",
    );
    delete process.env.CONVERT_STATE_MACHINE_ARN;
  });
});
