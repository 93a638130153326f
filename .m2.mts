import path from "node:path";
import { build } from "esbuild";
import { functionBundleOptions } from "./infra/bundling";
import { functions } from "./infra/catalog";

for (const name of process.argv.slice(2)) {
  const spec = (functions as any)[name];
  const r = await build({
    ...functionBundleOptions,
    absWorkingDir: process.cwd(),
    entryPoints: [path.resolve(spec.entry)],
    outfile: `/tmp/m/b/${name}/index.mjs`,
    metafile: true,
    sourcemap: false,
  });
  const o = Object.values(r.metafile.outputs)[0] as any;
  const rows = (Object.entries(o.inputs) as any)
    .filter(([f]: any) => !f.includes("node_modules/zod"))
    .sort((a: any, b: any) => b[1].bytesInOutput - a[1].bytesInOutput)
    .slice(0, 40);
  console.log(name, o.bytes);
  for (const [f, v] of rows) console.log("  ", String(v.bytesInOutput).padStart(7), f);
}
