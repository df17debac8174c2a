import { defineConfig } from "vitest/config";
import { sharedReporters, workspaceAliases } from "../vitest.shared";

export default defineConfig({
  resolve: { alias: workspaceAliases },
  test: {
    reporters: sharedReporters,
    include: ["tests/**/*.test.ts"],
    // A real nats-server for every example; the tests start nginx, versitygw
    // and the Python service themselves, and run each example as a subprocess
    // with the one-line command its header documents.
    globalSetup: ["../tools/test-harness/src/nats-global-setup.ts"],
    testTimeout: 120_000,
    hookTimeout: 90_000,
  },
});
