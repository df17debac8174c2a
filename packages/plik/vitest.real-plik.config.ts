import { defineConfig } from "vitest/config";
import { packageTestConfig } from "../../vitest.shared.ts";

// The real-Plik suite (real-plik-tests/): needs plikd (PLIKD_BIN), which CI cannot install.
export default defineConfig(
  packageTestConfig({ test: { include: ["real-plik-tests/**/*.test.ts"], testTimeout: 60_000, hookTimeout: 60_000 } }),
);
