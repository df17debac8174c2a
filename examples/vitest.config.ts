import { defineConfig } from "vitest/config";
import { packageTestConfig } from "../vitest.shared.ts";

// A real nats-server for every example; the tests start nginx, versitygw and
// the Python service themselves, and run each example as a subprocess with the
// one-line command its header documents.
export default defineConfig(packageTestConfig({ nats: true, test: { testTimeout: 120_000, hookTimeout: 90_000 } }));
