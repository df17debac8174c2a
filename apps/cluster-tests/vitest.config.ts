import { defineConfig } from "vitest/config";
import { packageTestConfig } from "../../vitest.shared.ts";

// Each file starts its own 3-node cluster (and kills nodes in it), so files run
// one at a time: three clusters at once would crowd a 2-core CI machine and
// blur the timings the tests report.
export default defineConfig(packageTestConfig({ test: { fileParallelism: false, testTimeout: 120_000, hookTimeout: 60_000 } }));
