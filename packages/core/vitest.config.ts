import { defineConfig } from "vitest/config";
import { packageTestConfig } from "../../vitest.shared.ts";

// A real nats-server on a free loopback port for *.integration.test.ts.
export default defineConfig(packageTestConfig({ nats: true, test: { testTimeout: 30_000, hookTimeout: 60_000 } }));
