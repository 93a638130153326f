/**
 * Regenerates `tests/contracts/shopify/admin_<version>.introspection.json.gz`: Shopify's Admin
 * GraphQL introspection for the pinned API version (cdk.json `shopifyApiVersion`), as Shopify
 * publishes it in the npm package `@shopify/dev-mcp` (read from its tarball; not a dependency).
 *
 *   npm pack @shopify/dev-mcp@1.16.0 --pack-destination /tmp
 *   npx tsx scripts/vendor-shopify-schema.ts /tmp/shopify-dev-mcp-1.16.0.tgz
 */
import { execFileSync } from "node:child_process";
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

const tarball = process.argv[2];
if (!tarball) {
  console.error("usage: tsx scripts/vendor-shopify-schema.ts <shopify-dev-mcp-x.y.z.tgz>");
  process.exit(2);
}
const repositoryRoot = fileURLToPath(new URL("../", import.meta.url));
const cdkJson = JSON.parse(readFileSync(path.join(repositoryRoot, "cdk.json"), "utf8")) as {
  context: { stages: Record<string, { shopifyApiVersion: string }> };
};
const pinned = Object.values(cdkJson.context.stages)[0]?.shopifyApiVersion;
if (!pinned) throw new Error("cdk.json names no shopifyApiVersion");

const unpacked = mkdtempSync(path.join(tmpdir(), "dev-mcp-"));
try {
  execFileSync("tar", ["xzf", path.resolve(tarball), "-C", unpacked]);
  const root = path.join(unpacked, "package");
  const { name, version } = JSON.parse(readFileSync(path.join(root, "package.json"), "utf8")) as {
    name: string;
    version: string;
  };
  const target = path.join(repositoryRoot, "tests/contracts/shopify");
  copyFileSync(
    path.join(root, "dist/data", `admin_${pinned}.json.gz`),
    path.join(target, `admin_${pinned}.introspection.json.gz`),
  );
  writeFileSync(
    path.join(target, "admin-schema.source.json"),
    `${JSON.stringify({ package: name, version, file: `dist/data/admin_${pinned}.json.gz`, apiVersion: pinned }, null, 2)}\n`,
  );
  console.log(`Vendored the Admin API ${pinned} schema from ${name}@${version}`);
} finally {
  rmSync(unpacked, { recursive: true, force: true });
}
