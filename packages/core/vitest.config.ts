import { defineConfig } from "vitest/config";
import { sharedReporters, workspaceAliases } from "../../vitest.shared";

export default defineConfig({
  resolve: { alias: workspaceAliases },
  test: {
    reporters: sharedReporters,
    include: ["tests/**/*.test.ts"],
    // Starts a real nats-server on a free loopback port for *.integration.test.ts
    // and hands its URL to the tests through provide/inject.
    globalSetup: ["../../tools/test-harness/src/nats-global-setup.ts"],
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
