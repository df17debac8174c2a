// smartsend/smartreceive against a real nats-server started by the global setup.
import { createHash } from "node:crypto";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { connect, type NatsConnection } from "@nats-io/transport-node";
import {
  type ClaimCheckStore,
  createBridge,
  type NatsBridge,
  type NatsBridgeError,
  type PayloadTuple,
  type ReceivedEnvelope,
  type SubscribeOptions,
} from "@natsbridge/core";
import { ownsOrigins } from "@natsbridge/core/store";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";

const natsUrl = inject("natsUrl");
let bridge: NatsBridge;
let raw: NatsConnection;
let subjectSeq = 0;
const subject = () => `test.core.${process.pid}.${++subjectSeq}`;

beforeAll(async () => {
  bridge = createBridge({ brokerUrl: natsUrl });
  raw = await connect({ servers: natsUrl });
});
afterAll(async () => {
  await bridge.close();
  await raw.drain();
});

/**
 * Subscribe, run `send`, and collect `count` envelopes. Receive errors are
 * collected when `allowErrors` is set, and fail the exchange at once otherwise.
 */
async function exchange(
  count: number,
  send: (subject: string) => Promise<unknown>,
  options: SubscribeOptions & { allowErrors?: boolean } = {},
) {
  const s = subject();
  const errors: NatsBridgeError[] = [];
  let fail!: (e: Error) => void;
  const failed = new Promise<never>((_, reject) => (fail = reject));
  const sub = await bridge.subscribe(s, {
    ...options,
    onError: (e) => (options.allowErrors ? errors.push(e) : fail(e)),
  });
  await (await bridge.connection()).flush();
  await send(s);
  const got: ReceivedEnvelope[] = [];
  const collect = (async () => {
    for await (const env of sub) {
      got.push(env);
      if (got.length === count) break;
    }
  })();
  try {
    await Promise.race([collect, failed]);
  } finally {
    sub.unsubscribe();
  }
  return { got, errors, subject: s };
}

const bytes = (n: number, seed = 1) => Uint8Array.from({ length: n }, (_, i) => (i * seed + 11) & 0xff);

describe("round trips over a real nats-server", () => {
  const cases: PayloadTuple[] = [
    ["greeting", "Hello 世界 สวัสดี 🎉", "text"],
    ["empty", "", "text"],
    ["config", { a: 1, nested: { list: [1, { deep: true }], n: null } }, "dictionary"],
    ["list", [1, "two", { three: 3 }], "dictionary"],
    [
      "rows",
      [
        { id: 1, name: "Ada" },
        { id: 2, name: "Grace" },
      ],
      "jsontable",
    ],
    ["avatar", bytes(150_000, 7), "image"],
    ["clip", bytes(4096, 3), "audio"],
    ["movie", bytes(1000, 5), "video"],
    ["blob", bytes(0), "binary"],
    ["blob2", bytes(33, 9), "binary"],
  ];

  it.each(cases.map((tuple) => ({ name: tuple[0], type: tuple[2], tuple })))("$name ($type) arrives as sent", async ({ tuple }) => {
    const { got, errors } = await exchange(1, (s) => bridge.smartsend(s, [tuple]));
    expect(errors).toEqual([]);
    expect(got[0]!.payloads).toEqual([tuple]);
  });

  it("carries several payloads of mixed types in one message, in order, with envelope fields", async () => {
    const payloads: PayloadTuple[] = cases.slice(0, 6);
    let sentEnv: unknown;
    const { got, subject: s } = await exchange(1, async (s) => {
      [sentEnv] = await bridge.smartsend(s, payloads, {
        correlationId: "corr-multi",
        msgPurpose: "updateStatus",
        senderName: "tester",
        receiverName: "agent",
        metadata: { trace: "t1" },
      });
    });
    const env = got[0]!;
    expect(env.payloads).toEqual(payloads);
    expect(env).toMatchObject({
      correlation_id: "corr-multi",
      send_to: s,
      msg_purpose: "updateStatus",
      sender_name: "tester",
      receiver_name: "agent",
      metadata: { trace: "t1" },
      broker_url: natsUrl,
    });
    expect(env.msg_id).toBe((sentEnv as { msg_id: string }).msg_id);
    expect(env.payloadInfo.map((p) => p.transport)).toEqual(Array(6).fill("direct"));
    // Direct payloads carry no sha256 by default (checksum: "link"): the message itself is their integrity.
    expect(env.payloadInfo[0]!.metadata).toEqual({ payload_bytes: expect.any(Number) });
  });

  it("checksum: true puts a sha256 on direct payloads too, and the receiver checks it", async () => {
    const { got } = await exchange(1, (s) => bridge.smartsend(s, [["t", "checked", "text"]], { checksum: true }));
    expect(got[0]!.payloadInfo[0]!.metadata.sha256).toBe(createHash("sha256").update("checked").digest("hex"));
  });

  it("returns [envelope, json] and skips publishing when isPublish is false", async () => {
    const { got } = await exchange(1, async (s) => {
      const [env, json] = await bridge.smartsend(s, [["x", "not sent", "text"]], { isPublish: false });
      expect(JSON.parse(json)).toEqual(env);
      await bridge.smartsend(s, [["y", "sent", "text"]]);
    });
    expect(got[0]!.payloads[0]).toEqual(["y", "sent", "text"]);
  });

  it("smartreceive takes a NATS message, { data }, bytes or the JSON string", async () => {
    const [, json] = await bridge.smartsend("unused", [["t", "hi", "text"]], { isPublish: false });
    const data = new TextEncoder().encode(json);
    for (const input of [json, data, { data }]) {
      expect((await bridge.smartreceive(input)).payloads).toEqual([["t", "hi", "text"]]);
    }
  });
});

describe("request / reply", () => {
  it("replies on reply_to with the same correlation id and reply_to_msg_id", async () => {
    const s = subject();
    const sub = await bridge.subscribe(s);
    const responder = (async () => {
      for await (const env of sub) {
        const [, text] = env.payloads[0]!;
        await bridge.reply(env, [["answer", `echo: ${String(text)}`, "text"]], { senderName: "responder" });
        break;
      }
    })();
    await (await bridge.connection()).flush();
    const reply = await bridge.request(s, [["question", "ping", "text"]], { correlationId: "corr-rr", timeout: 5000 });
    await responder;
    expect(reply.payloads).toEqual([["answer", "echo: ping", "text"]]);
    expect(reply.correlation_id).toBe("corr-rr");
    expect(reply.sender_name).toBe("responder");
    expect(reply.reply_to_msg_id).toMatch(/[0-9a-f-]{36}/);
  });

  it("times out with REQUEST_TIMEOUT when a subscriber never answers", async () => {
    const s = subject();
    const silent = raw.subscribe(s);
    await raw.flush();
    await expect(bridge.request(s, [["q", "?", "text"]], { timeout: 200 })).rejects.toMatchObject({ code: "REQUEST_TIMEOUT" });
    silent.unsubscribe();
  });

  it("fails at once with NO_RESPONDERS when nobody subscribes to the subject", async () => {
    const started = performance.now();
    // A timeout far beyond the test's: only the server's "no responders" answer can end this in time.
    const error = await bridge
      .request(subject(), [["q", "?", "text"]], { timeout: 120_000, correlationId: "c-nr" })
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ code: "NO_RESPONDERS", correlationId: "c-nr" });
    expect(performance.now() - started).toBeLessThan(10_000);
  });

  it("many requests at once on one connection each get their own reply", async () => {
    const s = subject();
    const sub = await bridge.subscribe(s);
    void (async () => {
      for await (const env of sub) {
        const [, n, type] = env.payloads[0]!;
        if (type === "dictionary") await bridge.reply(env, [["n", n, "dictionary"]]);
      }
    })();
    await (await bridge.connection()).flush();
    const replies = await Promise.all(Array.from({ length: 20 }, (_, i) => bridge.request(s, [["n", i, "dictionary"]], { timeout: 5000 })));
    expect(replies.map((r) => r.payloads[0]![1])).toEqual(Array.from({ length: 20 }, (_, i) => i));
    sub.unsubscribe();
  });
});

describe("max_payload", () => {
  let server: Server;
  let store: ClaimCheckStore;
  const blobs = new Map<string, Uint8Array>();

  beforeAll(async () => {
    // A minimal custom file server standing in for the store under test elsewhere.
    server = createServer((req, res) => {
      const blob = blobs.get(req.url ?? "");
      if (!blob) return void res.writeHead(404).end();
      res.writeHead(200, { "content-length": blob.byteLength }).end(blob);
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    const origin = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
    store = {
      name: "memory-http",
      owns: ownsOrigins([origin]),
      async put(req) {
        const path = `/${req.payloadId}/${req.dataname}`;
        blobs.set(path, req.body as Uint8Array);
        return { url: origin + path };
      },
    };
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  it("the server reports its max_payload and the bridge uses it", async () => {
    expect((await bridge.connection()).info?.max_payload).toBe(1_048_576);
  });

  it("a 900 KB binary with no store fails with PAYLOAD_TOO_LARGE before anything is published", async () => {
    const s = subject();
    const seen: unknown[] = [];
    const sub = raw.subscribe(s, { callback: (_, m) => void seen.push(m) });
    await raw.flush();
    for (const sizeThreshold of [undefined, 2_000_000]) {
      await expect(bridge.smartsend(s, [["big", bytes(900_000), "binary"]], { sizeThreshold })).rejects.toMatchObject({
        code: "PAYLOAD_TOO_LARGE",
      });
    }
    await (await bridge.connection()).flush();
    await raw.flush();
    sub.unsubscribe();
    expect(seen).toEqual([]);
  });

  it("a 900 KB binary under a raised threshold goes by link when a store is configured, and no publish error occurs", async () => {
    const big = bytes(900_000, 13);
    const { got } = await exchange(
      1,
      (s) =>
        bridge.smartsend(
          s,
          [
            ["small", "hi", "text"],
            ["big", big, "binary"],
          ],
          { store, sizeThreshold: 2_000_000 },
        ),
      { store },
    );
    expect(got[0]!.payloadInfo.map((p) => p.transport)).toEqual(["direct", "link"]);
    expect(got[0]!.payloads[1]![1]).toEqual(big);
  });
});

describe("malformed input", () => {
  const validEnvelope = async () => (await bridge.smartsend("unused", [["ok", "fine", "text"]], { isPublish: false }))[1];
  type EditablePayload = { data: unknown; payload_type: unknown; transport: unknown; size: unknown; metadata: Record<string, unknown> };
  const tweak = async (f: (env: { payloads: [EditablePayload] }) => void) => {
    const env = JSON.parse(await validEnvelope());
    f(env);
    return JSON.stringify(env);
  };

  it("each bad message gives its typed error to onError and the subscriber keeps running", async () => {
    const bad: [string, string | Uint8Array][] = [
      ["INVALID_ENVELOPE", Uint8Array.from([0xde, 0xad, 0xbe, 0xef, 0xff])],
      ["INVALID_ENVELOPE", (await validEnvelope()).slice(0, 40)],
      ["DESERIALIZATION_ERROR", await tweak((e) => (e.payloads[0].data = "@@not base64@@"))],
      ["UNKNOWN_PAYLOAD_TYPE", await tweak((e) => (e.payloads[0].payload_type = "hologram"))],
      ["UNKNOWN_TRANSPORT", await tweak((e) => (e.payloads[0].transport = "pigeon"))],
      ["SIZE_MISMATCH", await tweak((e) => (e.payloads[0].size = 999))],
      ["CHECKSUM_MISMATCH", await tweak((e) => (e.payloads[0].metadata.sha256 = "0".repeat(64)))],
      ["URL_NOT_ALLOWED", await tweak((e) => Object.assign(e.payloads[0], { transport: "link", data: "http://169.254.169.254/latest" }))],
    ];
    const { got, errors } = await exchange(
      1,
      async (s) => {
        // One connection for all of them: NATS keeps order per connection only.
        for (const [, payload] of bad) raw.publish(s, payload);
        const [, good] = await bridge.smartsend(s, [["after", "still alive", "text"]], { isPublish: false });
        raw.publish(s, good);
      },
      { allowErrors: true },
    );
    expect(errors.map((e) => e.code)).toEqual(bad.map(([code]) => code));
    for (const e of errors) expect(e.name).toMatch(/Error$/);
    expect(got[0]!.payloads).toEqual([["after", "still alive", "text"]]);
  });

  it("a value of the wrong type is INVALID_DATA at the sender and nothing is published", async () => {
    // The types refuse it too; untyped callers (JavaScript) get the runtime check.
    await expect(bridge.smartsend(subject(), [["pic", "not bytes", "image"] as unknown as PayloadTuple])).rejects.toMatchObject({
      code: "INVALID_DATA",
      dataname: "pic",
    });
    await expect(bridge.smartsend(subject(), [["x", 1] as unknown as PayloadTuple])).rejects.toMatchObject({ code: "INVALID_DATA" });
  });
});

describe("connections and environment", () => {
  it("reuses one connection across sends", async () => {
    const a = await bridge.connection();
    await bridge.smartsend(subject(), [["a", "1", "text"]]);
    await bridge.smartsend(subject(), [["b", "2", "text"]]);
    expect(await bridge.connection()).toBe(a);
  });

  it("honours NATS_URL and SIZE_THRESHOLD from the environment", async () => {
    const saved = { NATS_URL: process.env.NATS_URL, SIZE_THRESHOLD: process.env.SIZE_THRESHOLD };
    process.env.NATS_URL = natsUrl;
    process.env.SIZE_THRESHOLD = "10";
    const envBridge = createBridge();
    try {
      await expect(envBridge.smartsend(subject(), [["t", "more than ten bytes", "text"]])).rejects.toMatchObject({
        code: "PAYLOAD_TOO_LARGE",
      });
      const [env] = await envBridge.smartsend(subject(), [["t", "short", "text"]]);
      expect(env.broker_url).toBe(natsUrl);
      process.env.SIZE_THRESHOLD = "ten";
      // A bridge reads each variable once; a new one sees the change.
      await envBridge.smartsend(subject(), [["t", "short", "text"]]);
      const badEnv = createBridge();
      await expect(badEnv.smartsend(subject(), [["t", "x", "text"]])).rejects.toMatchObject({ code: "INVALID_OPTION" });
      await badEnv.close();
    } finally {
      await envBridge.close();
      for (const [k, v] of Object.entries(saved))
        if (v === undefined) delete process.env[k];
        else process.env[k] = v;
    }
  });

  it("an unreachable server is CONNECTION_FAILED", async () => {
    const dead = createBridge({ brokerUrl: "nats://127.0.0.1:1", connectOptions: { maxReconnectAttempts: 0, timeout: 500 } });
    await expect(dead.smartsend("x", [["t", "x", "text"]])).rejects.toMatchObject({ code: "CONNECTION_FAILED" });
  });

  it("an HTTP server on the NATS port fails at once, naming what answered (not after the 20 s connect timeout)", async () => {
    const http = createServer((_req, res) => res.end("hello"));
    await new Promise<void>((resolve) => http.listen(0, "127.0.0.1", resolve));
    const { port } = http.address() as AddressInfo;
    try {
      const started = performance.now();
      // The client's own connect timeout stays at its 20 s default.
      const error = await createBridge({ brokerUrl: `nats://127.0.0.1:${port}` })
        .smartsend("x", [["t", "x", "text"]])
        .catch((e: unknown) => e);
      expect(error).toMatchObject({ code: "CONNECTION_FAILED" });
      expect((error as Error).message).toMatch(
        /: an HTTP server answered: HTTP\/1\.[01] \d{3} .*\. Is that the NATS port \(4222 by default\)\?$/,
      );
      expect(performance.now() - started).toBeLessThan(10_000);
    } finally {
      http.close();
    }
  });
});
