import { defineConfig } from "vitest/config";

/**
 * The saga suites that also run on the deployable bundles (the `bundles` project): whatever differs
 * between bundle and source (kept names, dynamic imports, JSON imports) fails here, not in AWS.
 */
export const bundledSuites = ["tests/conversion/saga.e2e.test.ts", "tests/cancellation/cancel.e2e.test.ts"];

export default defineConfig({
  test: {
    globalSetup: ["tests/setup/global.ts"],
    setupFiles: ["tests/setup/polyfills.ts"],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Bundles are loaded by Node itself, exactly as Lambda loads them, not transformed by Vite.
    // Shopify's extension tester imports the extension module itself: inlined, so Vite transforms
    // the extension's TSX like any test source.
    server: { deps: { external: [/\/\.build\//], inline: [/@shopify\/ui-extensions-tester/] } },
    // Quiet, offline defaults for code that logs and emits metrics.
    // The SDK's notice that its 2027 releases need Node 22 would repeat in every worker.
    env: {
      POWERTOOLS_LOG_LEVEL: "ERROR",
      POWERTOOLS_METRICS_DISABLED: "true",
      POWERTOOLS_DEV: "false",
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true",
    },
    projects: [
      { extends: true, test: { name: "sources", include: ["tests/**/*.test.ts"] } },
      { extends: true, test: { name: "bundles", include: bundledSuites } },
    ],
  },
});
