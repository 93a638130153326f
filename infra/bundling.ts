import { mkdirSync, rmSync } from "node:fs";
import path from "node:path";
import { type BuildOptions, build, buildSync } from "esbuild";
import type { FunctionSpec } from "./catalog";

/**
 * How every Lambda bundle is built: the CDK stack ships these files, `npm start -- --bundled`
 * runs them and the saga suites test them. One configuration, so what is tested is what deploys.
 *
 * `keepNames` keeps class and function names through minification. The state machines' Retry and
 * Catch match the `name` a task's error carries, and `LoyaltyError` sets it from `new.target.name`;
 * without it `PosDeclined` would reach Step Functions as a mangled one-letter name and every named
 * `ErrorEquals` would silently stop matching. Names are kept rather than written out as string
 * literals in each error class because the rule then holds for every class, including ones added
 * later, and stack traces stay readable (`tests/infra/bundles.test.ts` proves it on the bundles).
 */

/** ESM bundles have no `require`; some CommonJS dependencies still call it, so the bundle defines one. */
const ESM_REQUIRE_BANNER =
  "import { createRequire as __loyaltyCreateRequire } from 'node:module'; const require = __loyaltyCreateRequire(import.meta.url);";

/** The file a bundle's handler is exported from; the Lambda handler setting is `index.handler`. */
export const BUNDLE_FILE = "index.mjs";
export const BUNDLE_HANDLER = "index.handler";

/**
 * The esbuild options shared by every bundle. `@aws-sdk/*` stays external as the Node.js 22
 * runtime provides it; a bundle loaded outside Lambda resolves it from the project's node_modules.
 */
export const functionBundleOptions = {
  bundle: true,
  platform: "node",
  format: "esm",
  target: "node22",
  mainFields: ["module", "main"],
  external: ["@aws-sdk/*"],
  minify: true,
  keepNames: true,
  sourcemap: true,
  // Stack traces map back to the TypeScript lines; the sources themselves stay out.
  sourcesContent: false,
  banner: { js: ESM_REQUIRE_BANNER },
  logLevel: "warning",
} as const satisfies BuildOptions;

export interface FunctionBundle {
  /** Directory holding `index.mjs` and its source map: the asset CDK uploads. */
  readonly directory: string;
  /** The bundle's entry file. */
  readonly file: string;
}

function bundleBuildOptions(projectRoot: string, spec: Pick<FunctionSpec, "entry">, directory: string) {
  return {
    ...functionBundleOptions,
    absWorkingDir: projectRoot,
    entryPoints: [path.resolve(projectRoot, spec.entry)],
    outfile: path.join(directory, BUNDLE_FILE),
  } satisfies BuildOptions;
}

/**
 * Builds one function's bundle into `directory`, replacing what was there (CDK hashes the whole
 * directory, so nothing stale may stay). Synchronous because CDK constructs are.
 */
export function bundleFunctionSync(
  projectRoot: string,
  spec: Pick<FunctionSpec, "entry">,
  directory: string,
): FunctionBundle {
  rmSync(directory, { recursive: true, force: true });
  mkdirSync(directory, { recursive: true });
  const options = bundleBuildOptions(projectRoot, spec, directory);
  buildSync(options);
  return { directory, file: options.outfile };
}

/** Builds several bundles concurrently, each into `<outputRoot>/<name>`. */
export async function bundleFunctions<Name extends string>(
  projectRoot: string,
  specs: Readonly<Partial<Record<Name, Pick<FunctionSpec, "entry">>>>,
  outputRoot: string,
): Promise<Record<Name, FunctionBundle>> {
  const entries = Object.entries(specs) as Array<[Name, Pick<FunctionSpec, "entry"> | undefined]>;
  const built = await Promise.all(
    entries.map(async ([name, spec]): Promise<[Name, FunctionBundle] | undefined> => {
      if (!spec) return undefined;
      const directory = path.join(outputRoot, name);
      rmSync(directory, { recursive: true, force: true });
      mkdirSync(directory, { recursive: true });
      const options = bundleBuildOptions(projectRoot, spec, directory);
      await build(options);
      return [name, { directory, file: options.outfile }];
    }),
  );
  return Object.fromEntries(built.filter((entry) => entry !== undefined)) as Record<Name, FunctionBundle>;
}

/**
 * Where bundles are written inside the project (ignored by git). Inside, not in a temporary
 * folder, so a bundle run outside Lambda finds `@aws-sdk/*` in the project's node_modules.
 */
export function bundleOutputRoot(projectRoot: string, purpose: string): string {
  return path.join(projectRoot, ".build", purpose);
}
