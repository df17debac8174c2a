import { defineConfig } from "vitest/config";
import { packageTestConfig } from "../../vitest.shared.ts";

// A real nats-server (TCP, websocket and JetStream) for the whole run; nginx per test file.
export default defineConfig(packageTestConfig({ nats: true, test: { testTimeout: 30_000, hookTimeout: 60_000 } }));
