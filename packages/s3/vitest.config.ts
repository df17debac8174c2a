import { defineConfig } from "vitest/config";
import { sharedReporters, workspaceAliases } from "../../vitest.shared";

// The SDK warns once per process that its 2027 releases need Node 22; the
// tests run on Node 20 on purpose (our engines floor), so keep the output clean.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";

export default defineConfig({
  resolve: { alias: workspaceAliases },
  test: {
    reporters: sharedReporters,
    include: ["tests/**/*.test.ts"],
    // A real nats-server and a real S3-compatible server (versitygw) on free
    // loopback ports, their addresses handed to tests through provide/inject.
    globalSetup: ["../../tools/test-harness/src/nats-global-setup.ts", "./tests/s3-global-setup.ts"],
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
