import { defineConfig } from "vitest/config";
import { packageTestConfig } from "../../vitest.shared.ts";

// The HTML report of the last run, in headless Chromium (report-tests/): run after
// `conformance --html` (the conformance:ci script does both), not with the unit tests.
export default defineConfig(
  packageTestConfig({
    test: {
      include: ["report-tests/**/*.test.ts"],
      testTimeout: 60_000,
      hookTimeout: 60_000,
      reporters: ["default", ["json", { outputFile: "reports/report-html.vitest.json" }]],
    },
  }),
);
