// The send and receive pipelines without a server: what reaches the logger,
// and how errors that are not ours come out.
import { describe, expect, it } from "vitest";
import { CodecRegistry, NatsBridge, type Logger, type NatsConnection } from "@natsbridge/core";
import { offlinePlatform } from "./offline-platform.js";

interface Line {
  level: string;
  obj: Record<string, unknown>;
  msg: string | undefined;
}

/** A logger at `level` that records what it is given, as pino would filter it. */
function recordingLogger(level: "debug" | "info" | "warn", lines: Line[] = []): Logger & { lines: Line[] } {
  const order = ["debug", "info", "warn", "error"];
  const enabled = (l: string) => order.indexOf(l) >= order.indexOf(level);
  const at = (l: string) => (obj: object, msg?: string) => {
    if (enabled(l)) lines.push({ level: l, obj: obj as Record<string, unknown>, msg });
  };
  return { lines, debug: at("debug"), info: at("info"), warn: at("warn"), error: at("error"), child: () => recordingLogger(level, lines), isLevelEnabled: enabled };
}

/** A connection whose JetStream publishes time out: the stream may or may not have the message. */
function timingOutJetStream(): NatsConnection {
  return {
    info: { max_payload: 1_048_576 },
    isClosed: () => false,
    jetstream: () => ({
      publish: async () => {
        throw Object.assign(new Error("TIMEOUT"), { code: "TIMEOUT" });
      },
    }),
  } as unknown as NatsConnection;
}

describe("warnings reach the logger at its normal level", () => {
  it("a JetStream publish with an unknown outcome keeps its blobs and says so at warn, debug off", async () => {
    const logger = recordingLogger("info");
    const deleted: string[] = [];
    const store = {
      name: "memory",
      put: async () => ({ url: "http://files.example/blob" }),
      delete: async (url: string) => void deleted.push(url),
    };
    const bridge = new NatsBridge(offlinePlatform(async () => Promise.reject(new Error("offline"))), { logger });
    await expect(
      bridge.smartsend("orders.new", [["big", new Uint8Array(10), "binary"]], {
        connection: timingOutJetStream(),
        store,
        alwaysLink: true,
        correlationId: "c-warn",
        jetstream: { maxAttempts: 1 },
      }),
    ).rejects.toMatchObject({ code: "PUBLISH_FAILED", details: { stored: "unknown" } });
    expect(deleted).toEqual([]);
    expect(logger.lines).toEqual([
      { level: "warn", obj: expect.objectContaining({ correlation_id: "c-warn", blobs: 1 }), msg: "smartsend: publish outcome unknown, uploaded blobs kept" },
    ]);
  });
});

describe("errors that are not ours", () => {
  it("a codec registry that throws something untyped gives INTERNAL_ERROR carrying the real message and cause", async () => {
    const cause = new TypeError("registry exploded");
    class ExplodingRegistry extends CodecRegistry {
      override get(): never {
        throw cause;
      }
    }
    const bridge = new NatsBridge(offlinePlatform(async () => Promise.reject(new Error("offline"))));
    const envelope = JSON.stringify({
      correlation_id: "c-foreign",
      payloads: [{ id: "p", dataname: "x", payload_type: "text", transport: "direct", encoding: "base64", data: "aGk=" }],
    });
    const error = await bridge.smartreceive(envelope, { codecs: new ExplodingRegistry() }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: "INTERNAL_ERROR", correlationId: "c-foreign", dataname: "x", cause });
    expect((error as Error).message).toMatch(/registry exploded/);
  });
});
