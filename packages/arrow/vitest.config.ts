import { defineConfig } from "vitest/config";
import { sharedReporters, workspaceAliases } from "../../vitest.shared";

export default defineConfig({
  resolve: { alias: workspaceAliases },
  test: {
    reporters: sharedReporters,
    include: ["tests/**/*.test.ts"],
    // A real nats-server for *.integration.test.ts (smartsend/smartreceive of
    // arrowtable and table payloads), handed to tests through provide/inject.
    globalSetup: ["../../tools/test-harness/src/nats-global-setup.ts"],
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
