import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import {
  accountExtensionModules,
  buildAccountExtensionModule,
  buildThemeScript,
  EXTENSION_BUNDLE_LIMIT,
  THEME_SCRIPT_GZIP_LIMIT,
  themeScriptAsset,
} from "../../customer-ui/build";

/**
 * What the customer screens ship, against Shopify's limits: the theme block's script (committed as
 * a theme asset, so it must be the build of its source) and the account extension's modules.
 */
describe("customer screen bundles", () => {
  it("ships the theme script built from its source, under 10 KB gzipped", async () => {
    // Act
    const built = await buildThemeScript();

    // Assess
    expect(readFileSync(themeScriptAsset, "utf8"), "run npm run build:customer-ui").toBe(built.code);
    expect(built.gzipBytes).toBeLessThanOrEqual(THEME_SCRIPT_GZIP_LIMIT);
  });

  it("keeps each extension target's bundle under 64 KB", async () => {
    for (const entry of Object.values(accountExtensionModules)) {
      // Act
      const built = await buildAccountExtensionModule(entry);

      // Assess
      expect(built.bytes, entry).toBeLessThanOrEqual(EXTENSION_BUNDLE_LIMIT);
      // The zod schemas the API types come from must not be bundled: only their types are used.
      expect(built.code).not.toContain("ZodError");
    }
  });

  it("declares in shopify.extension.toml exactly the modules that exist", () => {
    // Prepare
    const folder = path.join(process.cwd(), "extensions/loyalty-account");
    const toml = readFileSync(path.join(folder, "shopify.extension.toml"), "utf8");

    // Act
    const targets = [...toml.matchAll(/module = "([^"]+)"\s+target = "([^"]+)"/g)].map((match) => ({
      module: match[1] ?? "",
      target: match[2],
    }));

    // Assess
    expect(targets.map((entry) => entry.target)).toEqual([
      "customer-account.page.render",
      "customer-account.profile.block.render",
    ]);
    for (const { module } of targets) expect(existsSync(path.join(folder, module)), module).toBe(true);
    expect(toml).toMatch(/network_access = true/);
  });
});
