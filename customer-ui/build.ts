import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";
import { build } from "esbuild";

/**
 * Builds what the customer screens ship and measures it against Shopify's limits:
 * - the theme app block's script (an asset file Shopify serves as is; theme check advises at most
 *   10 KB gzipped per app-block script), written into the theme extension's `assets/`;
 * - the customer account extension's modules, as Shopify CLI bundles them (esbuild, minified),
 *   to check the 64 KB limit; Shopify CLI builds the deployed bundle itself.
 *
 * `npm run build:customer-ui` rewrites the theme asset and prints the sizes.
 */

const root = fileURLToPath(new URL("../", import.meta.url));
export const themeScriptSource = path.join(root, "customer-ui/theme/points-block.ts");
export const themeScriptAsset = path.join(root, "extensions/loyalty-theme/assets/loyalty-points.js");
export const accountExtensionModules = {
  page: path.join(root, "extensions/loyalty-account/src/PointsPage.tsx"),
  profileBlock: path.join(root, "extensions/loyalty-account/src/ProfileBlock.tsx"),
};

export const THEME_SCRIPT_GZIP_LIMIT = 10 * 1024;
export const EXTENSION_BUNDLE_LIMIT = 64 * 1024;

export interface BuiltFile {
  code: string;
  bytes: number;
  gzipBytes: number;
}

const measured = (code: string): BuiltFile => ({
  code,
  bytes: Buffer.byteLength(code),
  gzipBytes: gzipSync(code, { level: 9 }).length,
});

export async function buildThemeScript(): Promise<BuiltFile> {
  const result = await build({
    entryPoints: [themeScriptSource],
    bundle: true,
    minify: true,
    format: "iife",
    platform: "browser",
    target: ["es2020"],
    write: false,
    legalComments: "none",
    charset: "utf8",
  });
  const output = result.outputFiles[0];
  if (!output) throw new Error("esbuild produced no theme script");
  return measured(output.text);
}

export async function buildAccountExtensionModule(entry: string): Promise<BuiltFile> {
  const result = await build({
    entryPoints: [entry],
    bundle: true,
    minify: true,
    format: "esm",
    platform: "browser",
    target: ["es2020"],
    jsx: "automatic",
    jsxImportSource: "preact",
    write: false,
    legalComments: "none",
    charset: "utf8",
  });
  const output = result.outputFiles[0];
  if (!output) throw new Error(`esbuild produced nothing for ${entry}`);
  return measured(output.text);
}

const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`;

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  const theme = await buildThemeScript();
  mkdirSync(path.dirname(themeScriptAsset), { recursive: true });
  writeFileSync(themeScriptAsset, theme.code);
  const css = readFileSync(path.join(root, "extensions/loyalty-theme/assets/loyalty-points.css"), "utf8");
  console.log(
    `theme script   ${kb(theme.bytes)} minified, ${kb(theme.gzipBytes)} gzipped (limit 10 KB gzipped)`,
  );
  console.log(`theme styles   ${kb(Buffer.byteLength(css))}, ${kb(gzipSync(css).length)} gzipped`);
  for (const [name, entry] of Object.entries(accountExtensionModules)) {
    const built = await buildAccountExtensionModule(entry);
    console.log(
      `extension ${name.padEnd(12)} ${kb(built.bytes)} minified, ${kb(built.gzipBytes)} gzipped (limit 64 KB)`,
    );
  }
}
