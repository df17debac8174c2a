import { defineConfig } from "vitest/config";
import { sharedReporters, workspaceAliases } from "../../vitest.shared";

export default defineConfig({
  resolve: { alias: workspaceAliases },
  test: { reporters: sharedReporters, include: ["tests/**/*.test.ts"] },
});
