import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["tests/**/*.test.ts"],
    globalSetup: ["tests/setup/global.ts"],
    setupFiles: ["tests/setup/polyfills.ts"],
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
