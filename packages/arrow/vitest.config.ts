import { defineConfig } from "vitest/config";
import { packageTestConfig } from "../../vitest.shared.ts";

// A real nats-server for *.integration.test.ts (smartsend/smartreceive of
// arrowtable and table payloads). The type tests (tests/*.test-d.ts) are
// type-checked in the same run.
export default defineConfig(
  packageTestConfig({
    nats: true,
    test: {
      testTimeout: 60_000,
      hookTimeout: 60_000,
      typecheck: { enabled: true, include: ["tests/**/*.test-d.ts"], tsconfig: "./tsconfig.json" },
    },
  }),
);
