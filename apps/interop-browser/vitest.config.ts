import { defineConfig } from "vitest/config";
import { packageTestConfig } from "../../vitest.shared.ts";

// A real nats-server with a websocket listener, and the page built by Vite and served.
export default defineConfig(
  packageTestConfig({
    nats: true,
    globalSetup: ["./tests/global-setup.ts"],
    // One Chromium at a time on a two-core machine.
    test: { fileParallelism: false, testTimeout: 90_000, hookTimeout: 120_000 },
  }),
);
