import { defineConfig } from "vitest/config";

/**
 * The saga suites that also run on the deployable bundles (the `bundles` project): whatever differs
 * between bundle and source (kept names, dynamic imports, JSON imports) fails here, not in AWS.
 */
export const bundledSuites = ["tests/conversion/saga.e2e.test.ts", "tests/cancellation/cancel.e2e.test.ts"];

/**
 * The fast lane (`npm run test:unit`): domain logic against the in-memory fakes of
 * `tests/support/fake-*.ts`, with no DynamoDB Local (no Java), no emulators and no local stack.
 * Besides the `*.unit.test.ts` files, the older tests that already need none of these join it by
 * name (not tests/auth/app-proxy.test.ts: 16 s of signature checks is not a fast lane).
 */
export const unitSuites = [
  "tests/**/*.unit.test.ts",
  "tests/admin/review-evidence.test.ts",
  "tests/auth/{admin,customer,session-token}.test.ts",
  "tests/cancellation/{email,refund-evidence,request}.test.ts",
  "tests/conversion/coupon-record.test.ts",
  "tests/faults/cells.test.ts",
  "tests/http/problem.test.ts",
  "tests/observability/{admin-alerts,measured}.test.ts",
  "tests/operations/{log-metrics,reconciler,step-functions}.test.ts",
  "tests/points/{display,summary}.test.ts",
  "tests/pos/members.test.ts",
  "tests/rewards/rules.test.ts",
  "tests/store/{shop-date,transaction-conflicts}.test.ts",
  "tests/webhooks/signature.test.ts",
];

/** Starts DynamoDB Local (and builds the bundles for `bundles`): only the projects that need it. */
const globalSetup = ["tests/setup/global.ts"];

export default defineConfig({
  test: {
    setupFiles: ["tests/setup/polyfills.ts", "tests/setup/expected-logs.ts"],
    // On two CPUs vitest's default is one worker, which runs the files one after another; the e2e
    // files mostly wait (Step Functions waits, POS timeouts), so a second worker overlaps the waits.
    maxWorkers: 2,
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
      { extends: true, test: { name: "unit", include: unitSuites } },
      {
        extends: true,
        test: { name: "sources", include: ["tests/**/*.test.ts"], exclude: unitSuites, globalSetup },
      },
      // After the others: beside the heavy source files, on a loaded machine, the bundled sagas missed
      // their timings (one run with two workers and no ordering failed 7 of their tests).
      {
        extends: true,
        test: { name: "bundles", include: bundledSuites, globalSetup, sequence: { groupOrder: 1 } },
      },
    ],
  },
});
