import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["tests/**/*.test.ts"],
    globalSetup: ["tests/setup/global.ts"],
    setupFiles: ["tests/setup/polyfills.ts"],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Quiet, offline defaults for code that logs and emits metrics.
    // The SDK's notice that its 2027 releases need Node 22 would repeat in every worker.
    env: {
      POWERTOOLS_LOG_LEVEL: "ERROR",
      POWERTOOLS_METRICS_DISABLED: "true",
      POWERTOOLS_DEV: "false",
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true",
    },
  },
});
