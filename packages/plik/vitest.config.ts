import { defineConfig } from "vitest/config";
import { sharedReporters, workspaceAliases } from "../../vitest.shared";

export default defineConfig({
  resolve: { alias: workspaceAliases },
  test: {
    reporters: sharedReporters,
    include: ["tests/**/*.test.ts"],
    // Unit tests only, against a fake that answers like Plik's documented API:
    // no real Plik server can be installed here (see docs/packages/plik.md).
    testTimeout: 30_000,
  },
});
