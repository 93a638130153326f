import { createHash } from "node:crypto";
import { existsSync, mkdirSync, renameSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { buildSync } from "esbuild";

/**
 * The staff console's one build: esbuild bundles `console/src` (Preact, oidc-client-ts) into
 * hashed `app-<hash>.js` / `app-<hash>.css` beside an `index.html` that names them. The local
 * gateway serves the files from memory; CDK writes them to a folder that BucketDeployment uploads.
 * Nothing is fetched from a CDN at run time and nothing generated is committed.
 */

const consoleRoot = fileURLToPath(new URL(".", import.meta.url));

export interface ConsoleFile {
  /** Path under the console's base (`/admin/`), e.g. `app-3F2K1.js`. */
  readonly name: string;
  readonly contents: Uint8Array;
  readonly contentType: string;
}

const contentTypes: Record<string, string> = {
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".html": "text/html; charset=utf-8",
  ".json": "application/json",
};

export const contentTypeOf = (name: string) => contentTypes[path.extname(name)] ?? "application/octet-stream";

/** Builds the console in memory: the bundle, its stylesheet and the page that loads them. */
export function buildConsoleFiles(): ConsoleFile[] {
  const result = buildSync({
    absWorkingDir: consoleRoot,
    entryPoints: { app: path.join(consoleRoot, "src", "main.tsx") },
    bundle: true,
    format: "esm",
    platform: "browser",
    target: ["es2022", "chrome110", "firefox110", "safari16"],
    jsx: "automatic",
    jsxImportSource: "preact",
    minify: true,
    sourcemap: false,
    entryNames: "[name]-[hash]",
    outdir: path.join(consoleRoot, "out"),
    write: false,
    legalComments: "none",
    define: { "process.env.NODE_ENV": '"production"' },
    logLevel: "warning",
  });
  const files: ConsoleFile[] = result.outputFiles.map((file) => ({
    name: path.basename(file.path),
    contents: file.contents,
    contentType: contentTypeOf(file.path),
  }));
  const script = files.find((file) => file.name.endsWith(".js"));
  const style = files.find((file) => file.name.endsWith(".css"));
  if (!script || !style) throw new Error("The console build produced no script or no stylesheet");
  const page = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>Loyalty staff console</title>
<link rel="stylesheet" href="${style.name}">
<script type="module" src="${script.name}"></script>
</head>
<body><div id="app"><p class="boot">Loading…</p></div></body>
</html>
`;
  files.push({ name: "index.html", contents: Buffer.from(page), contentType: contentTypeOf("index.html") });
  return files;
}

/** Writes the built console into `directory` (emptied first: CDK hashes the whole folder). */
export function writeConsole(directory: string): ConsoleFile[] {
  const files = buildConsoleFiles();
  rmSync(directory, { recursive: true, force: true });
  mkdirSync(directory, { recursive: true });
  for (const file of files) writeFileSync(path.join(directory, file.name), file.contents);
  return files;
}

/**
 * Builds the console into `<root>/<content hash>/` unless that folder exists, and returns it: what
 * CDK synthesis uploads. Written under a temporary name and renamed, so test files synthesising
 * side by side never read a half-written folder.
 */
export function consoleAssetDirectory(root: string): string {
  const files = buildConsoleFiles();
  const hash = createHash("sha256");
  for (const file of files) hash.update(file.name).update(file.contents);
  const directory = path.join(root, hash.digest("hex").slice(0, 16));
  if (existsSync(directory)) return directory;
  const staging = `${directory}.${process.pid}.${Date.now()}`;
  mkdirSync(staging, { recursive: true });
  for (const file of files) writeFileSync(path.join(staging, file.name), file.contents);
  try {
    renameSync(staging, directory);
  } catch (error) {
    // Another process renamed the same content first.
    rmSync(staging, { recursive: true, force: true });
    if (!existsSync(directory)) throw error;
  }
  return directory;
}

/** `tsx console/build.ts [dir]`: builds into `.build/console` (or `dir`) and prints the sizes. */
if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  const directory = path.resolve(process.argv[2] ?? path.join(consoleRoot, "..", ".build", "console"));
  for (const file of writeConsole(directory)) {
    console.log(`${file.name.padEnd(28)} ${(file.contents.length / 1024).toFixed(1)} KiB`);
  }
}
