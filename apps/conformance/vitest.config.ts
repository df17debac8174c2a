import { defineConfig } from "vitest/config";
import { sharedReporters, workspaceAliases } from "../../vitest.shared";

export default defineConfig({
  resolve: { alias: workspaceAliases },
  test: {
    reporters: sharedReporters,
    include: ["tests/**/*.test.ts"],
    // A real nats-server on a free loopback port for *.integration.test.ts.
    globalSetup: ["../../tools/test-harness/src/nats-global-setup.ts"],
    testTimeout: 60_000,
    hookTimeout: 90_000,
  },
});
