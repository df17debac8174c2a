import { defineConfig } from "vitest/config";
import { packageTestConfig } from "../../vitest.shared.ts";

// The MicroPython VM itself (no server), and the peer over a real nats-server (*.integration.test.ts).
export default defineConfig(packageTestConfig({ nats: true, test: { testTimeout: 60_000, hookTimeout: 60_000 } }));
