import { defineConfig } from "vitest/config";
import { packageTestConfig } from "../../vitest.shared.ts";

// A real nats-server on a free loopback port for *.integration.test.ts. The
// type tests (tests/*.test-d.ts) are type-checked in the same run.
export default defineConfig(
  packageTestConfig({
    nats: true,
    test: {
      testTimeout: 30_000,
      hookTimeout: 60_000,
      typecheck: { enabled: true, include: ["tests/**/*.test-d.ts"], tsconfig: "./tsconfig.json" },
    },
  }),
);
