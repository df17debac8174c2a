// File server faults against real servers (nginx, and a loopback HTTP server
// that misbehaves on purpose), complementing link.integration.test.ts:
// down or failing at send (UPLOAD_FAILED, nothing published), down for good
// at receive (DOWNLOAD_FAILED after exactly the configured attempts, with
// waits that follow the backoff schedule, observed through onDownloadRetry
// rather than the wall clock), back within the retry window, and bodies that
// stall or are cut short (a timeout or truncation error, never a hang).
// S3 (versitygw) faults are in packages/s3/tests/faults.integration.test.ts;
// Plik faults can only run against the Plik-compatible test server (@natsbridge/test-harness).
import { createServer, type Server, type ServerResponse } from "node:http";
import { connect, type NatsConnection } from "@nats-io/transport-node";
import { createBridge, httpStore, type NatsBridge, type NatsBridgeError, PayloadStream } from "@natsbridge/core";
import { backoffDelay } from "@natsbridge/core/store";
import { pattern } from "@natsbridge/core/testing";
import { type NginxDav, startNginxDav } from "@natsbridge/test-harness";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";

const natsUrl = inject("natsUrl");
let nginx: NginxDav;
let bridge: NatsBridge;
let raw: NatsConnection;
let seq = 0;
const subject = () => `test.faults.${process.pid}.${++seq}`;

beforeAll(async () => {
  nginx = await startNginxDav();
  bridge = createBridge({ brokerUrl: natsUrl, fileserverUrl: nginx.url, store: httpStore({ baseUrl: `${nginx.url}/blobs` }) });
  raw = await connect({ servers: natsUrl });
});
afterAll(async () => {
  await bridge?.close();
  await raw?.drain();
  await nginx?.dispose();
});

/** Runs `send` and returns what a subscriber on the subject saw meanwhile. */
async function published(s: string, send: () => Promise<unknown>): Promise<unknown[]> {
  const seen: unknown[] = [];
  const sub = raw.subscribe(s, { callback: (_, m) => void seen.push(m) });
  await raw.flush();
  await send().catch(() => undefined);
  await (await bridge.connection()).flush();
  await raw.flush();
  sub.unsubscribe();
  return seen;
}

describe("file server down or failing at send", () => {
  it("nginx stopped: UPLOAD_FAILED naming the payload, and nothing is published", async () => {
    const s = subject();
    await nginx.stop();
    let error: unknown;
    try {
      const seen = await published(s, () =>
        bridge
          .smartsend(
            s,
            [
              ["small", "hi", "text"],
              ["big", pattern(600_000), "binary"],
            ],
            { correlationId: "down-at-send" },
          )
          .catch((e) => {
            error = e;
            throw e;
          }),
      );
      expect(seen).toEqual([]);
    } finally {
      await nginx.start();
    }
    expect(error).toMatchObject({ code: "UPLOAD_FAILED", correlationId: "down-at-send", dataname: "big" });
  });

  it("nginx answering 503: UPLOAD_FAILED with the status, and nothing is published", async () => {
    const s = subject();
    nginx.setFailure(503);
    let error: unknown;
    try {
      const seen = await published(s, () =>
        bridge.smartsend(s, [["big", pattern(600_000), "binary"]]).catch((e) => {
          error = e;
        }),
      );
      expect(seen).toEqual([]);
    } finally {
      nginx.setFailure(null);
    }
    expect(error).toMatchObject({ code: "UPLOAD_FAILED" });
    expect((error as Error).message).toContain("503");
  });
});

describe("file server down at receive", () => {
  const sendBig = async () => (await bridge.smartsend("unused", [["big", pattern(600_000), "binary"]], { isPublish: false }))[1];

  it("down for good: DOWNLOAD_FAILED after exactly maxRetries attempts, the waits following the backoff schedule", async () => {
    const json = await sendBig();
    const retries: { attempt: number; delayMs: number; reason: string }[] = [];
    const options = { maxRetries: 5, baseDelay: 40, maxDelay: 200 };
    await nginx.stop();
    let error: NatsBridgeError;
    try {
      error = (await bridge
        .smartreceive(json, { ...options, onDownloadRetry: (r) => void retries.push(r) })
        .catch((e: unknown) => e)) as NatsBridgeError;
    } finally {
      await nginx.start();
    }
    expect(error).toMatchObject({ code: "DOWNLOAD_FAILED", dataname: "big", details: { attempts: 5 } });
    expect(error.details.reasons).toHaveLength(5);
    // One wait between each pair of attempts: 40, 80, 160, 200 ms (capped), each plus at most 20 % jitter, never over maxDelay.
    expect(retries.map((r) => r.attempt)).toEqual([1, 2, 3, 4]);
    retries.forEach((r, i) => {
      const base = backoffDelay(i + 1, options.baseDelay, options.maxDelay);
      expect(r.delayMs).toBeGreaterThanOrEqual(base);
      expect(r.delayMs).toBeLessThanOrEqual(Math.min(options.maxDelay, base * 1.2));
      expect(r.reason).toMatch(/ECONNREFUSED/);
    });
  });

  it("back within the retry window: the download succeeds on a later attempt", async () => {
    const json = await sendBig();
    await nginx.stop();
    const retries: number[] = [];
    // The server comes back as soon as the first retry is scheduled: driven by events, not by timing.
    let restarting: Promise<void> | undefined;
    const env = await bridge.smartreceive(json, {
      maxRetries: 10,
      baseDelay: 100,
      maxDelay: 400,
      onDownloadRetry: (r) => {
        retries.push(r.attempt);
        restarting ??= nginx.start();
      },
    });
    await restarting;
    expect((env.payloads[0]![1] as Uint8Array).byteLength).toBe(600_000);
    expect(retries.length).toBeGreaterThanOrEqual(1);
  });
});

describe("slow, stalled and truncated bodies", () => {
  let server: Server;
  let origin: string;
  const behaviours = new Map<string, (res: ServerResponse) => void>();
  let hits = 0;
  beforeAll(async () => {
    server = createServer((req, res) => {
      hits++;
      const b = behaviours.get(req.url ?? "");
      if (b) b(res);
      else res.writeHead(404).end();
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    origin = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise<void>((r) => server.close(() => r()));
  });

  const envelopeFor = async (path: string, size: number) => {
    const [env] = await bridge.smartsend("unused", [["x", pattern(size), "binary"]], { isPublish: false, alwaysLink: true });
    env.payloads[0]!.data = `${origin}${path}`;
    return JSON.stringify(env);
  };
  const options = { allowedOrigins: [] as string[], attemptTimeout: 300, maxRetries: 2, baseDelay: 10, maxDelay: 20 };

  it("headers sent, then the body stalls: each attempt times out, DOWNLOAD_FAILED after the retries", async () => {
    behaviours.set("/stall", (res) => {
      res.writeHead(200, { "content-length": "1000" });
      res.write(new Uint8Array(100));
    });
    hits = 0;
    const error = await bridge
      .smartreceive(await envelopeFor("/stall", 1000), { ...options, allowedOrigins: [origin] })
      .catch((e: NatsBridgeError) => e);
    expect(error).toMatchObject({ code: "DOWNLOAD_FAILED", details: { attempts: 2 } });
    expect((error as NatsBridgeError).details.reasons).toEqual([
      expect.stringContaining("no response for 300 ms"),
      expect.stringContaining("no response for 300 ms"),
    ]);
    expect(hits).toBe(2);
  });

  it("no response headers at all: the same timeout", async () => {
    behaviours.set("/silent", () => undefined);
    const error = await bridge
      .smartreceive(await envelopeFor("/silent", 10), { ...options, allowedOrigins: [origin] })
      .catch((e: NatsBridgeError) => e);
    expect(error).toMatchObject({ code: "DOWNLOAD_FAILED", details: { attempts: 2 } });
    expect(String((error as NatsBridgeError).details.reasons)).toContain("no response for 300 ms");
  });

  it("a body cut short (connection closed before Content-Length): retried, then DOWNLOAD_FAILED naming the truncation", async () => {
    behaviours.set("/short", (res) => {
      res.writeHead(200, { "content-length": "1000" });
      res.write(new Uint8Array(400), () => res.destroy());
    });
    const error = await bridge
      .smartreceive(await envelopeFor("/short", 1000), { ...options, allowedOrigins: [origin] })
      .catch((e: NatsBridgeError) => e);
    expect(error).toMatchObject({ code: "DOWNLOAD_FAILED", details: { attempts: 2 } });
    // e.g. "attempt 1: UND_ERR_SOCKET (other side closed) after 400 body bytes of 1000"
    const reasons = (error as NatsBridgeError).details.reasons as string[];
    expect(reasons[0]).toMatch(/after 400 body bytes of 1000/);
    // The retry asked for the rest with a Range this server ignores: its first 400 bytes are skipped, not delivered twice.
    expect(reasons[1]).toMatch(/other side closed/);
  });

  it("a slow but moving body is not cut off: the time limit applies to each wait, not to the whole transfer", async () => {
    const body = pattern(50_000);
    behaviours.set("/slow", (res) => {
      res.writeHead(200, { "content-length": String(body.byteLength) });
      let i = 0;
      const timer = setInterval(() => {
        res.write(body.subarray(i, i + 5_000));
        i += 5_000;
        if (i >= body.byteLength) {
          clearInterval(timer);
          res.end();
        }
      }, 100); // 10 chunks, 1 s in all: over attemptTimeout, yet never silent for 300 ms
    });
    const env = await bridge.smartreceive(await envelopeFor("/slow", body.byteLength), { ...options, allowedOrigins: [origin] });
    expect(env.payloads[0]![1]).toEqual(body);
  });

  it("a stalled streamed receive fails from the stream with DOWNLOAD_FAILED instead of hanging the reader", async () => {
    behaviours.set("/stall-stream", (res) => {
      res.writeHead(200, { "content-length": "1000" });
      res.write(new Uint8Array(100));
    });
    const env = await bridge.smartreceive(await envelopeFor("/stall-stream", 1000), { ...options, allowedOrigins: [origin], stream: true });
    const stream = env.payloads[0]![1] as PayloadStream;
    expect(stream).toBeInstanceOf(PayloadStream);
    await expect(stream.bytes()).rejects.toMatchObject({ code: "DOWNLOAD_FAILED" });
  });
});
