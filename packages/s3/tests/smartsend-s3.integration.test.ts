// End to end: smartsend with the S3 store over a real nats-server, links to a
// real S3-compatible server, received by smartreceive (and by Python with a
// plain HTTP GET, as the Julia and Python references do).
import { execFile } from "node:child_process";
import { ListObjectsV2Command } from "@aws-sdk/client-s3";
import { connect, type Msg, type NatsConnection } from "@nats-io/transport-node";
import { createBridge, deleteConsumed, type NatsBridge, type NatsBridgeError, type PayloadTuple } from "@natsbridge/core";
import { s3Store } from "@natsbridge/s3";
import { findPython } from "@natsbridge/test-harness";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { randomBytes, s3, storeOnServer } from "./helpers.js";

const natsUrl = inject("natsUrl");
const store = storeOnServer({ keyPrefix: `e2e-${process.pid}` });
let sender: NatsBridge;
let receiver: NatsBridge;
let nc: NatsConnection;
let seq = 0;

beforeAll(async () => {
  sender = createBridge({ brokerUrl: natsUrl, store });
  // The receiver holds no credentials: it allows the bucket's origin and GETs the presigned URLs.
  receiver = createBridge({
    brokerUrl: natsUrl,
    allowedOrigins: s3Store({ bucket: s3.bucket, endpoint: s3.endpoint, forcePathStyle: true }).origins,
    maxRetries: 3,
    baseDelay: 10,
  });
  nc = await connect({ servers: natsUrl });
});
afterAll(async () => {
  await sender.close();
  await receiver.close();
  await nc.drain();
  store.client.destroy();
});

/** Publish with `send` and return the raw messages that arrived within `waitMs` after it. */
async function capture(send: (subject: string) => Promise<unknown>, waitMs = 300): Promise<{ messages: Msg[]; sent: unknown }> {
  const subject = `test.s3.${process.pid}.${++seq}`;
  const sub = nc.subscribe(subject);
  await nc.flush();
  const messages: Msg[] = [];
  const collecting = (async () => {
    for await (const m of sub) messages.push(m);
  })();
  let sent: unknown;
  try {
    sent = await send(subject);
  } catch (error) {
    sent = error;
  }
  await new Promise((r) => setTimeout(r, waitMs));
  sub.unsubscribe();
  await collecting;
  return { messages, sent };
}

/** toEqual walks typed arrays element by element (seconds per MB); bytes are compared with Buffer.equals. */
function expectSamePayloads(actual: readonly PayloadTuple[], expected: readonly PayloadTuple[]): void {
  expect(actual.map(([name, , type]) => [name, type])).toEqual(expected.map(([name, , type]) => [name, type]));
  actual.forEach(([name, value], i) => {
    const want = expected[i]![1];
    if (want instanceof Uint8Array) {
      expect(value, name).toBeInstanceOf(Uint8Array);
      expect(Buffer.from(value as Uint8Array).equals(want), `${name} bytes`).toBe(true);
    } else expect(value, name).toEqual(want);
  });
}

const mixed = (): PayloadTuple[] => [
  ["note", "large payloads went to S3", "text"],
  ["settings", { lang: "en", retries: 3 }, "dictionary"],
  ["rows", [{ id: 1, name: "Ada" }], "jsontable"],
  ["scan", randomBytes(1_500_000), "image"],
  ["weights", randomBytes(3_000_000), "binary"],
];

describe("smartsend → NATS → smartreceive with S3 links", () => {
  it("a mixed message: small payloads direct, large ones as presigned S3 links, all arrive intact", async () => {
    const payloads = mixed();
    const { messages } = await capture((s) => sender.smartsend(s, payloads, { flush: true }));
    expect(messages).toHaveLength(1);
    const env = await receiver.smartreceive(messages[0]!);
    expectSamePayloads(env.payloads, payloads);
    expect(env.payloadInfo.map((p) => p.transport)).toEqual(["direct", "direct", "direct", "link", "link"]);
    for (const info of env.payloadInfo.slice(3)) {
      const url = new URL(info.data as string);
      expect(url.origin).toBe(s3.endpoint);
      expect(url.pathname.startsWith(`/${s3.bucket}/e2e-${process.pid}/${env.correlation_id}/${env.msg_id}/${info.id}-`)).toBe(true);
      expect(url.searchParams.has("X-Amz-Signature")).toBe(true);
      expect(info.metadata).toMatchObject({ s3_bucket: s3.bucket, sha256: expect.stringMatching(/^[0-9a-f]{64}$/) });
    }

    // Delete-after-consume (core's, for any store): this receiver is the only consumer.
    const cleanup = await deleteConsumed(store, env);
    expect(cleanup.deleted).toHaveLength(2);
    expect(cleanup.failed).toEqual([]);
    await expect(receiver.smartreceive(messages[0]!)).rejects.toMatchObject({ code: "DOWNLOAD_FAILED" });
  });

  it("Python downloads the presigned links with a plain HTTP GET and no credentials", async () => {
    const { messages } = await capture((s) => sender.smartsend(s, mixed(), { flush: true }));
    const json = new TextDecoder().decode(messages[0]!.data);
    const script = [
      "import hashlib, json, sys, urllib.request",
      "env = json.loads(sys.stdin.read())",
      "for p in env['payloads']:",
      "    if p['transport'] == 'link':",
      "        data = urllib.request.urlopen(p['data']).read()",
      "        ok = hashlib.sha256(data).hexdigest() == p['metadata']['sha256'] and len(data) == p['size']",
      "        print(p['dataname'], len(data), 'ok' if ok else 'MISMATCH')",
    ].join("\n");
    const child = execFile(findPython(), ["-c", script]);
    child.stdin!.end(json);
    let out = "";
    child.stdout!.on("data", (d: Buffer) => (out += d.toString()));
    await new Promise<void>((resolve, reject) =>
      child.once("exit", (code) => (code === 0 ? resolve() : reject(new Error(`python exited ${code}`)))),
    );
    expect(out.trim().split("\n")).toEqual(["scan 1500000 ok", "weights 3000000 ok"]);
  });

  it("an expired presigned URL gives DOWNLOAD_FAILED naming the expiry, without retrying", async () => {
    const shortLived = storeOnServer({ keyPrefix: `e2e-${process.pid}`, urlExpiresIn: 1 });
    const { messages } = await capture((s) => sender.smartsend(s, mixed(), { store: shortLived, flush: true }));
    await new Promise((r) => setTimeout(r, 2_200));
    const error = (await receiver.smartreceive(messages[0]!).catch((e: unknown) => e)) as NatsBridgeError;
    expect(error.code).toBe("DOWNLOAD_FAILED");
    expect(error.dataname).toBe("scan");
    expect(error.message).toMatch(/HTTP 403 \(AccessDenied: Request has expired\.?\)/);
    expect(error.details).toMatchObject({
      attempts: 1,
      reasons: [expect.stringMatching(/^attempt 1: HTTP 403 \(AccessDenied: Request has expired\.?\)$/)],
    });
    expect(error.message).not.toMatch(/X-Amz-Signature|X-Amz-Credential/);
    // A receiver with credentials, given the store, still reads it through the SDK.
    const withCredentials = await receiver.smartreceive(messages[0]!, { stores: [shortLived] });
    expect(withCredentials.payloads.map((p) => p[0])).toEqual(["note", "settings", "rows", "scan", "weights"]);
    shortLived.client.destroy();
  });

  it("a wrong secret gives UPLOAD_FAILED and nothing is published or left in the bucket", async () => {
    const wrong = storeOnServer({
      keyPrefix: `e2e-wrong-${process.pid}`,
      credentials: { accessKeyId: s3.accessKeyId, secretAccessKey: "not-the-secret" },
    });
    const { messages, sent } = await capture((s) => sender.smartsend(s, mixed(), { store: wrong, flush: true }));
    const error = sent as NatsBridgeError;
    expect(error.code).toBe("UPLOAD_FAILED");
    expect(error.dataname).toBe("scan");
    expect(error.message).toMatch(/SignatureDoesNotMatch/);
    expect(messages).toEqual([]);
    const listed = await store.client.send(new ListObjectsV2Command({ Bucket: s3.bucket, Prefix: `e2e-wrong-${process.pid}/` }));
    expect(listed.KeyCount ?? 0).toBe(0);
    wrong.client.destroy();
  });

  it("a later upload failing deletes the blobs already uploaded for that message", async () => {
    let puts = 0;
    const failingSecond = {
      ...store,
      name: store.name,
      owns: (url: string) => store.owns(url),
      put: async (request: Parameters<typeof store.put>[0]) => {
        if (++puts === 2) throw new Error("disk full");
        return store.put(request);
      },
      delete: (url: string) => store.delete(url),
    };
    const { messages, sent } = await capture((s) =>
      sender.smartsend(s, mixed(), { store: failingSecond, correlationId: `cleanup-${process.pid}` }),
    );
    expect((sent as NatsBridgeError).code).toBe("UPLOAD_FAILED");
    expect(messages).toEqual([]);
    const listed = await store.client.send(
      new ListObjectsV2Command({ Bucket: s3.bucket, Prefix: `e2e-${process.pid}/cleanup-${process.pid}/` }),
    );
    expect(listed.KeyCount ?? 0).toBe(0);
  });

  it('link: "s3" sends s3:// URLs that a receiver with credentials reads through the SDK', async () => {
    const s3Links = storeOnServer({ keyPrefix: `e2e-${process.pid}`, link: "s3" });
    const payloads = mixed();
    const { messages } = await capture((s) => sender.smartsend(s, payloads, { store: s3Links, flush: true }));
    const env = await receiver.smartreceive(messages[0]!, { stores: [s3Links] });
    expectSamePayloads(env.payloads, payloads);
    expect(env.payloadInfo[4]!.data).toMatch(new RegExp(`^s3://${s3.bucket}/e2e-${process.pid}/`));
    // Streamed too: the SDK read, verified as it goes.
    const streamed = await receiver.smartreceive(messages[0]!, { stores: [s3Links], stream: true });
    const weights = streamed.payloads[4]![1] as { bytes(): Promise<Uint8Array> };
    expect(Buffer.from(await weights.bytes()).equals(payloads[4]![1] as Uint8Array)).toBe(true);
    // Without the store, s3:// is not a URL the default HTTP download fetches; the error says what to configure.
    await expect(receiver.smartreceive(messages[0]!)).rejects.toMatchObject({
      code: "URL_NOT_ALLOWED",
      details: { scheme: "s3:", store: "s3Store() from @natsbridge/s3" },
    });
    s3Links.client.destroy();
  });
});
