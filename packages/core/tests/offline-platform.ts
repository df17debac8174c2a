// A Platform without NATS or a network, for unit tests of the receive path:
// each test supplies only the HTTP answers it is about.
import type { Platform } from "@natsbridge/core";
import { silentLogger } from "../src/logger.js";

export function offlinePlatform(httpGet: Platform["httpGet"]): Platform {
  return {
    name: "node",
    connect: () => Promise.reject(new Error("no NATS in this test")),
    sha256: async () => "",
    createSha256: () => ({ update() {}, digest: async () => "" }),
    env: () => undefined,
    defaultLogger: () => silentLogger,
    httpGet,
  };
}
