import { mkdirSync, rmSync } from "node:fs";
import path from "node:path";
import { type BuildOptions, build, buildSync } from "esbuild";
import type { FunctionSpec } from "./catalog";

/**
 * How every Lambda bundle is built: the CDK stack ships these files, `npm start -- --bundled`
 * runs them and the saga suites test them. One configuration, so what is tested is what deploys.
 *
 * Bundles are minified without esbuild's `keepNames`, which cost every bundle ~5% (a `__name`
 * call for each function and class) to keep names that nothing needs: the state machines' Retry
 * and Catch match the `name` a task's error carries, and every error class writes its own out
 * (`LoyaltyError` requires it; `tests/infra/error-names.unit.test.ts` holds every error class of the
 * project to its own name), so `PosDeclined` reaches Step Functions as `PosDeclined` whatever the
 * minifier calls the class. Task log lines name their step the same way (`functions/named-step.ts`).
 * `tests/infra/bundles.test.ts` proves on the bundles that the names the ASL matches survive.
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
