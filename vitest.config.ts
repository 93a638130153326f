import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["tests/**/*.test.ts"],
    globalSetup: ["tests/setup/global.ts"],
    setupFiles: ["tests/setup/polyfills.ts"],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Quiet, offline defaults for code that logs and emits metrics.
    env: { POWERTOOLS_LOG_LEVEL: "ERROR", POWERTOOLS_METRICS_DISABLED: "true", POWERTOOLS_DEV: "false" },
  },
});
