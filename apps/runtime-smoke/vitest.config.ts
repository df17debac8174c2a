import { defineConfig } from "vitest/config";
import { packageTestConfig } from "../../vitest.shared.ts";

// No shared nats-server: each smoke test starts its own nats-server and nginx.
export default defineConfig(packageTestConfig({ test: { testTimeout: 30_000, hookTimeout: 90_000 } }));
