import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";
import { packageTestConfig } from "../../vitest.shared.ts";

// A real nats-server for *.integration.test.ts; those tests run the built CLI
// (dist/bin.js, built by `pnpm test`) as a subprocess, as users do.
export default defineConfig(
  packageTestConfig({
    nats: true,
    alias: { "@natsbridge/cli": fileURLToPath(new URL("./src/index.ts", import.meta.url)) },
    test: { testTimeout: 60_000, hookTimeout: 60_000 },
  }),
);
