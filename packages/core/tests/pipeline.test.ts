// The send and receive pipelines without a server: what reaches the logger,
// how errors that are not ours come out, and what a sender is told when
// stream data cannot go.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { NatsConnection } from "@nats-io/nats-core";
import { CodecRegistry, fileSource, type Logger, NatsBridge, type NatsBridgeError } from "@natsbridge/core";
import { afterAll, describe, expect, it } from "vitest";
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
  return {
    lines,
    debug: at("debug"),
    info: at("info"),
    warn: at("warn"),
    error: at("error"),
    child: () => recordingLogger(level, lines),
    isLevelEnabled: enabled,
  };
}

/** A connection whose JetStream publishes time out: the stream may or may not have the message. */
function timingOutJetStream(): NatsConnection {
  return {
    info: { max_payload: 1_048_576 },
    isClosed: () => false,
    options: {},
    // @nats-io/jetstream publishes with a request on the connection.
    request: async () => {
      throw Object.assign(new Error("TIMEOUT"), { code: "TIMEOUT" });
    },
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
    const bridge = new NatsBridge(
      offlinePlatform(async () => Promise.reject(new Error("offline"))),
      { logger },
    );
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
      {
        level: "warn",
        obj: expect.objectContaining({ correlation_id: "c-warn", blobs: 1 }),
        msg: "smartsend: publish outcome unknown, uploaded blobs kept",
      },
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

describe("stream data that cannot be sent says why", () => {
  const bridge = new NatsBridge(offlinePlatform(async () => Promise.reject(new Error("offline"))));
  const dir = mkdtempSync(join(tmpdir(), "natsbridge-pipeline-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("a missing file is ENOENT, before the transport is chosen (no store needed to find out)", async () => {
    const path = join(dir, "missing.mp4");
    const error = (await bridge
      .smartsend("files.in", [["clip", fileSource(path), "video"]], { isPublish: false })
      .catch((e) => e)) as NatsBridgeError;
    expect(error).toMatchObject({ code: "INVALID_DATA", dataname: "clip", details: { path, errno: "ENOENT" } });
    expect(error.message).toMatch(/ENOENT/);
  });

  it("a file with no store names the file and its size, and does not suggest a threshold that cannot help", async () => {
    const path = join(dir, "clip.mp4");
    writeFileSync(path, new Uint8Array(12_345));
    const error = (await bridge
      .smartsend("files.in", [["clip", fileSource(path), "video"]], { isPublish: false })
      .catch((e) => e)) as NatsBridgeError;
    expect(error).toMatchObject({ code: "PAYLOAD_TOO_LARGE", details: { needsStore: true, streamed: ["clip"] } });
    expect(error.message).toContain(`'clip' (file ${path}, 12345 bytes: stream data always goes by link)`);
    expect(error.message).not.toMatch(/sizeThreshold|0 bytes/);
  });

  it("a stream with no store says it is a stream", async () => {
    const stream = new ReadableStream<Uint8Array>({ start: (c) => c.close() });
    const error = (await bridge
      .smartsend("files.in", [["feed", stream, "binary"]], { isPublish: false })
      .catch((e) => e)) as NatsBridgeError;
    expect(error.message).toContain("'feed' (a stream: stream data always goes by link)");
  });
});

describe("payload lists", () => {
  const bridge = new NatsBridge(offlinePlatform(async () => Promise.reject(new Error("offline"))));

  it("a dataname used twice is INVALID_DATA naming it", async () => {
    await expect(
      bridge.smartsend(
        "a",
        [
          ["x", "1", "text"],
          ["y", "2", "text"],
          ["x", "3", "text"],
        ],
        { isPublish: false, correlationId: "c-dup" },
      ),
    ).rejects.toMatchObject({
      code: "INVALID_DATA",
      dataname: "x",
      correlationId: "c-dup",
      message: expect.stringMatching(/payloads\[2\]: dataname 'x' is used twice/),
    });
  });

  it("an empty list is a message with no payloads (allowed, as documented)", async () => {
    const [envelope, json] = await bridge.smartsend("a", [], { isPublish: false, metadata: { ack: true } });
    expect(envelope.payloads).toEqual([]);
    expect((await bridge.smartreceive(json)).payloads).toEqual([]);
  });
});
