import { defineConfig } from "vitest/config";
import { packageTestConfig } from "../../vitest.shared.ts";

// The SDK warns once per process that its 2027 releases need Node 22; the
// tests run on Node 20 on purpose (our engines floor), so keep the output clean.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";

// A real nats-server and a real S3-compatible server (versitygw) on free loopback ports.
export default defineConfig(
  packageTestConfig({ nats: true, globalSetup: ["./tests/s3-global-setup.ts"], test: { testTimeout: 60_000, hookTimeout: 60_000 } }),
);
