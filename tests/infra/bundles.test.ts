import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { promisify } from "node:util";
import { App } from "aws-cdk-lib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  bundleFunctions,
  bundleOutputRoot,
  type FunctionBundle,
  functionBundleOptions,
} from "../../infra/bundling";
import { type FunctionName, functions, stateMachines } from "../../infra/catalog";
import { LoyaltyStack } from "../../infra/stack";
import { demoStage, everyCapabilityCatalog, logicalIdOf } from "./helpers";

/**
 * The state machines' Retry and Catch match the `name` of the error a task throws. These tests
 * build the task functions exactly as CDK ships them and load each bundle in a fresh Node process,
 * as Lambda does, to read back the names its error classes' instances really carry. (The saga suites of the
 * `bundles` project then run those bundles end to end: retries fire, declines are caught.)
 */

const projectRoot = fileURLToPath(new URL("../../", import.meta.url));
const probe = pathToFileURL(fileURLToPath(new URL("../support/error-class-names.mjs", import.meta.url))).href;
const run = promisify(execFile);

interface TaskErrors {
  readonly machine: string;
  readonly state: string;
  readonly fn: FunctionName;
  /** Error names its Retry and Catch match, other than the States.* and Lambda.* families. */
  readonly names: readonly string[];
}

interface AslState {
  readonly Type?: string;
  readonly Resource?: string;
  readonly Retry?: ReadonlyArray<{ readonly ErrorEquals: readonly string[] }>;
  readonly Catch?: ReadonlyArray<{ readonly ErrorEquals: readonly string[] }>;
  readonly Branches?: ReadonlyArray<{ readonly States: Readonly<Record<string, AslState>> }>;
  readonly ItemProcessor?: { readonly States: Readonly<Record<string, AslState>> };
}

/** Every Task state of every catalog state machine, with the function its placeholder names. */
function taskErrors(): TaskErrors[] {
  const found: TaskErrors[] = [];
  for (const [machine, spec] of Object.entries(stateMachines)) {
    const tasks: Readonly<Record<string, FunctionName>> = spec.tasks;
    const definition = JSON.parse(
      readFileSync(new URL(spec.definitionFile, pathToFileURL(projectRoot)), "utf8"),
    );
    const visit = (states: Readonly<Record<string, AslState>>) => {
      for (const [state, body] of Object.entries(states)) {
        for (const branch of body.Branches ?? []) visit(branch.States);
        if (body.ItemProcessor) visit(body.ItemProcessor.States);
        if (body.Type !== "Task") continue;
        const placeholder = /^\$\{([A-Za-z0-9]+)\}$/.exec(body.Resource ?? "")?.[1];
        const fn = placeholder ? tasks[placeholder] : undefined;
        if (!fn) throw new Error(`${machine}.${state} invokes ${body.Resource}, not a catalog function`);
        const names = [...(body.Retry ?? []), ...(body.Catch ?? [])]
          .flatMap((rule) => rule.ErrorEquals)
          .filter((name) => !name.startsWith("States.") && !name.startsWith("Lambda."));
        found.push({ machine, state, fn, names: [...new Set(names)] });
      }
    };
    visit(definition.States);
  }
  return found;
}

/**
 * The names that instances of the bundle's error classes carry, read in a fresh process with only
 * the environment it needs (the probe finds the classes through the inspector and instantiates them).
 */
async function errorClassNames(bundle: FunctionBundle): Promise<string[]> {
  const { stdout } = await run(
    process.execPath,
    [
      "--import",
      probe,
      "--input-type=module",
      "-e",
      `await import(${JSON.stringify(pathToFileURL(bundle.file).href)});`,
    ],
    {
      cwd: projectRoot,
      env: {
        PATH: process.env.PATH ?? "",
        SHOP_DOMAIN: "loyalty-demo.myshopify.com",
        POWERTOOLS_METRICS_DISABLED: "true",
        AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true",
      },
    },
  );
  return JSON.parse(stdout) as string[];
}

const tasks = taskErrors();
const outputRoot = bundleOutputRoot(projectRoot, `test-error-names-${process.pid}`);
let bundles: Partial<Record<FunctionName, FunctionBundle>> = {};

beforeAll(async () => {
  bundles = await bundleFunctions(projectRoot, functions, outputRoot);
}, 120_000);

afterAll(() => rmSync(outputRoot, { recursive: true, force: true }));

describe("the deployable bundles", () => {
  it("are minified, error names being written out by the classes rather than kept by esbuild", () => {
    expect(functionBundleOptions).toMatchObject({ minify: true, external: ["@aws-sdk/*"] });
    expect(functionBundleOptions).not.toHaveProperty("keepNames");
  });

  it("cover every task of both sagas, each matching errors by name", () => {
    expect(new Set(tasks.map(({ machine }) => machine))).toEqual(new Set(["convertPoints", "cancelCoupon"]));
    expect(tasks.flatMap(({ names }) => names)).toEqual(
      expect.arrayContaining(["PosDeclined", "PosUnavailable", "PosTimeout", "ShopifyUnavailable"]),
    );
  });

  // One case per task state that matches named errors: the ASL's names against the bundle's classes.
  const named = tasks.filter(({ names }) => names.length > 0);
  it.each(named.map((task) => [`${task.machine}.${task.state}`, task] as const))(
    "%s: every error its Retry and Catch name is a class the function's bundle defines under that name",
    async (_label, task) => {
      const bundle = bundles[task.fn];
      if (!bundle) throw new Error(`No bundle built for ${task.fn}`);

      const defined = await errorClassNames(bundle);

      for (const name of task.names) expect(defined, `${task.fn} should define ${name}`).toContain(name);
    },
    30_000,
  );
});

/** The most code one function ships (its `index.mjs`, source map excluded). */
const BUNDLE_LIMIT_BYTES = 150_000;

/** A static import of an AWS SDK package: loaded (50–110 ms each) before the handler runs. */
const staticSdkImport =
  /(?:^|[;}\s])import\s*(?:[\w$]+\s*,?\s*)?(?:\{[^}]*\}|\*\s*as\s+[\w$]+)?\s*from\s*["']@aws-sdk\//m;

describe("every function's bundle", () => {
  it.each(Object.keys(functions) as FunctionName[])(
    "%s: holds at most 150 KB of code and loads no AWS SDK package at import",
    (name) => {
      const bundle = bundles[name];
      if (!bundle) throw new Error(`No bundle built for ${name}`);
      const code = readFileSync(bundle.file, "utf8");

      expect(Buffer.byteLength(code), `${name}'s bundle size`).toBeLessThanOrEqual(BUNDLE_LIMIT_BYTES);
      expect(code).not.toMatch(staticSdkImport);
    },
  );

  it("recognises a static SDK import, and not a dynamic one", () => {
    expect('import{SFN as a}from"@aws-sdk/client-sfn";').toMatch(staticSdkImport);
    expect('var x=1;import*as b from"@aws-sdk/lib-dynamodb";').toMatch(staticSdkImport);
    expect('let{SFN:a}=await import("@aws-sdk/client-sfn");').not.toMatch(staticSdkImport);
  });
});

describe("what CDK ships", () => {
  it("is, byte for byte, the bundle the project's build makes of each function", async () => {
    // Prepare: a small catalog, synthesised as `cdk synth` does, assets and all.
    const outdir = mkdtempSync(path.join(tmpdir(), "loyalty-synth-"));
    const freshRoot = bundleOutputRoot(projectRoot, `test-fresh-${process.pid}`);
    try {
      const app = new App({ outdir });
      const stack = new LoyaltyStack(app, "Loyalty-bundles", {
        stage: demoStage(),
        catalog: everyCapabilityCatalog,
      });
      const assembly = app.synth();
      const fresh = await bundleFunctions(projectRoot, everyCapabilityCatalog.functions, freshRoot);

      // Act: each function's S3 key names the asset staged for it.
      const template = assembly.getStackByName(stack.stackName).template as {
        Resources: Record<string, { Properties?: { Code?: { S3Key?: string }; Handler?: string } }>;
      };
      const shipped = Object.entries(stack.functions).map(([name, fn]) => {
        const properties = template.Resources[logicalIdOf(fn.function)]?.Properties;
        const hash = properties?.Code?.S3Key?.replace(/\.zip$/, "");
        return { name: name as FunctionName, hash, handler: properties?.Handler };
      });

      // Assess
      expect(shipped.map(({ name }) => name).sort()).toEqual(["health", "points"]);
      for (const { name, hash, handler } of shipped) {
        expect(handler).toBe("index.handler");
        const staged = readFileSync(path.join(outdir, `asset.${hash}`, "index.mjs"));
        const built = fresh[name];
        if (!built) throw new Error(`No fresh bundle of ${name}`);
        expect(staged.equals(readFileSync(built.file)), `${name} differs from its bundle`).toBe(true);
      }
    } finally {
      rmSync(outdir, { recursive: true, force: true });
      rmSync(freshRoot, { recursive: true, force: true });
      rmSync(path.join(bundleOutputRoot(projectRoot, "cdk"), "Loyalty-bundles"), {
        recursive: true,
        force: true,
      });
    }
  }, 120_000);
});
