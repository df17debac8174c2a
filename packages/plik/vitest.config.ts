import { defineConfig } from "vitest/config";
import { packageTestConfig } from "../../vitest.shared.ts";

// Unit tests only, against a fake that answers like Plik's documented API:
// no real Plik server can be installed here (see docs/packages/plik.md).
export default defineConfig(packageTestConfig({ test: { testTimeout: 30_000 } }));
