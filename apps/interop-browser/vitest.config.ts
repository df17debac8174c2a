import { defineConfig } from "vitest/config";
import { sharedReporters, workspaceAliases } from "../../vitest.shared";

export default defineConfig({
  resolve: { alias: workspaceAliases },
  test: {
    reporters: sharedReporters,
    include: ["tests/**/*.test.ts"],
    // A real nats-server with a websocket listener, and the page built by Vite and served.
    globalSetup: ["../../tools/test-harness/src/nats-global-setup.ts", "./tests/global-setup.ts"],
    // One Chromium at a time on a two-core machine.
    fileParallelism: false,
    testTimeout: 90_000,
    hookTimeout: 120_000,
  },
});
