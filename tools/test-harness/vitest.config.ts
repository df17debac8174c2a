import { defineConfig } from "vitest/config";
import { packageTestConfig } from "../../vitest.shared.ts";

// The harness's own tests: the Plik-compatible test server against the recorded plikd behaviour
// (and against a real plikd when PLIKD_BIN is set).
export default defineConfig(packageTestConfig({ test: { testTimeout: 30_000, hookTimeout: 60_000 } }));
