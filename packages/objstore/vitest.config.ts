import { defineConfig } from "vitest/config";
import { packageTestConfig } from "../../vitest.shared.ts";

// A real nats-server with JetStream (and a websocket listener) on free loopback ports.
export default defineConfig(packageTestConfig({ nats: true, test: { testTimeout: 60_000, hookTimeout: 60_000 } }));
