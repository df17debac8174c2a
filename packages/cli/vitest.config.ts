import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";
import { sharedReporters, workspaceAliases } from "../../vitest.shared";

export default defineConfig({
  resolve: { alias: { ...workspaceAliases, "@natsbridge/cli": fileURLToPath(new URL("./src/index.ts", import.meta.url)) } },
  test: {
    reporters: sharedReporters,
    include: ["tests/**/*.test.ts"],
    // A real nats-server for *.integration.test.ts, handed to tests through
    // provide/inject; those tests run the built CLI (dist/bin.js, built by
    // `pnpm test`) as a subprocess, as users do.
    globalSetup: ["../../tools/test-harness/src/nats-global-setup.ts"],
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
