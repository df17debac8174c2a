// Browser checks beyond the chat scenario, driven by tests/lab.integration.test.ts:
// - JetStream from a page: the browser entry's client (@nats-io/nats-core) has
//   no JetStream of its own, so the bridge loads @nats-io/jetstream on first use;
// - a connection made with nats.ws (the pre-v3 websocket client) handed to the
//   bridge as `connection`, for pages that already have one;
// - Plik from a page (@natsbridge/plik's browser entry): uploads through a
//   CORS-adding reverse proxy, the refusal without one, and Plik links received;
// - the JetStream Object Store from a page (@natsbridge/objstore): link
//   payloads written and read over the page's own websocket connection.

import { createBridge, ensureStream, type NatsBridge, type PayloadStream, type ReceivedEnvelope } from "@natsbridge/core";
import { objectStore } from "@natsbridge/objstore";
import { plikOneshotUpload, plikStore } from "@natsbridge/plik";
import { connect as natsWsConnect } from "nats.ws";

export interface JetStreamRun {
  ws: string;
  stream: string;
  consumer: string;
  subject: string;
  count: number;
}

/** A binary payload the receiver can check byte for byte: byte i is (i * 7 + seed) & 255. */
function pattern(size: number, seed: number): Uint8Array {
  const out = new Uint8Array(size);
  for (let i = 0; i < size; i++) out[i] = (i * 7 + seed) & 255;
  return out;
}

function matchesPattern(bytes: Uint8Array, seed: number): boolean {
  for (let i = 0; i < bytes.length; i++) if (bytes[i] !== ((i * 7 + seed) & 255)) return false;
  return true;
}

async function sha256Hex(bytes: Uint8Array): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", bytes as Uint8Array<ArrayBuffer>));
  return Array.from(digest, (b) => b.toString(16).padStart(2, "0")).join("");
}

/** Subscriptions opened by `listen`, by id, each waiting for its first envelope. */
const listening = new Map<string, Promise<unknown>>();

const textOf = (env: ReceivedEnvelope, name: string) => env.payloads.find(([n]) => n === name)?.[1] as string | undefined;
const describe = (e: unknown) => `${(e as { code?: string }).code ?? (e as Error).name}: ${(e as Error).message}`;

const lab = {
  /** ensureStream from the page (the lazily loaded JetStream manager). */
  async ensureStream({ ws, stream, subject }: { ws: string; stream: string; subject: string }) {
    const bridge = createBridge({ brokerUrl: ws });
    try {
      const info = await ensureStream(await bridge.connection(), { name: stream, subjects: [`${subject}.>`] });
      return { name: info.config.name, subjects: info.config.subjects };
    } finally {
      await bridge.close();
    }
  },

  /**
   * Publish `count` envelopes to the stream (each acked), one of them twice
   * with the same msg_id, then consume them all through a durable consumer.
   */
  async jetstream(run: JetStreamRun) {
    const bridge: NatsBridge = createBridge({ brokerUrl: run.ws });
    try {
      const acks: { seq: number; duplicate: boolean }[] = [];
      const onAck = (ack: { seq: number; duplicate: boolean }) => void acks.push({ seq: ack.seq, duplicate: ack.duplicate });
      for (let i = 0; i < run.count; i++) {
        await bridge.smartsend(
          `${run.subject}.page`,
          [
            ["n", String(i), "text"],
            ["blob", pattern(50_000, i), "binary"],
          ],
          { jetstream: { stream: run.stream, onAck }, msgId: `page-msg-${i}`, senderName: "lab-page" },
        );
      }
      // A retry of message 0 (same msg_id): the stream's duplicate window drops it.
      await bridge.smartsend(
        `${run.subject}.page`,
        [
          ["n", "0", "text"],
          ["blob", pattern(50_000, 0), "binary"],
        ],
        {
          jetstream: { stream: run.stream, onAck },
          msgId: "page-msg-0",
        },
      );

      const received: { n: string; blobOk: boolean; msgId: string }[] = [];
      let done!: () => void;
      const all = new Promise<void>((resolve) => (done = resolve));
      const consumption = await bridge.consume(run.stream, run.consumer, (env) => {
        const blob = env.payloads.find(([n]) => n === "blob")?.[1] as Uint8Array;
        const n = textOf(env, "n")!;
        received.push({ n, blobOk: blob.byteLength === 50_000 && matchesPattern(blob, Number(n)), msgId: env.msg_id });
        if (received.length >= run.count) done();
      });
      await Promise.race([
        all,
        new Promise((_, reject) => setTimeout(() => reject(new Error(`consumed ${received.length} of ${run.count}`)), 20_000)),
      ]);
      await consumption.stop();
      return { acks, received, stats: { ...consumption.stats } };
    } catch (e) {
      return { error: describe(e) };
    } finally {
      await bridge.close();
    }
  },

  /**
   * smartsend text + a file of `size` bytes by link to Plik at `plikUrl` (a
   * CORS proxy, or Plik itself), with the store or with the references' handler.
   */
  async plikSend(r: {
    ws: string;
    subject: string;
    plikUrl: string;
    size: number;
    seed: number;
    via: "store" | "handler";
    asBlob?: boolean;
  }) {
    const bridge = createBridge({ brokerUrl: r.ws, fileserverUrl: r.plikUrl });
    try {
      const data = pattern(r.size, r.seed);
      const [env] = await bridge.smartsend(
        r.subject,
        [
          ["note", "from the page, by Plik", "text"],
          ["file", r.asBlob ? new Blob([data as Uint8Array<ArrayBuffer>]) : data, "binary"],
        ],
        {
          ...(r.via === "store"
            ? { store: plikStore({ url: r.plikUrl, oneShot: false, ttl: 3600 }) }
            : { uploadHandler: plikOneshotUpload }),
          alwaysLink: true,
          flush: true,
        },
      );
      return { msgId: env.msg_id, url: env.payloads.find((p) => p.dataname === "file")!.data as string };
    } catch (e) {
      return { error: describe(e), code: (e as { code?: string }).code };
    } finally {
      await bridge.close();
    }
  },

  /**
   * smartsend text + a file of `size` bytes by link into the object store
   * bucket, through the page's websocket connection (no file server at all).
   */
  async objSend(r: { ws: string; subject: string; bucket: string; size: number; seed: number; asBlob?: boolean }) {
    const bridge = createBridge({ brokerUrl: r.ws, store: objectStore({ bucket: r.bucket }) });
    try {
      const data = pattern(r.size, r.seed);
      const [env] = await bridge.smartsend(
        r.subject,
        [
          ["note", "from the page, by object store", "text"],
          ["file", r.asBlob ? new Blob([data as Uint8Array<ArrayBuffer>]) : data, "binary"],
        ],
        { flush: true },
      );
      return { msgId: env.msg_id, url: env.payloads.find((p) => p.dataname === "file")!.data as string };
    } catch (e) {
      return { error: describe(e), code: (e as { code?: string }).code };
    } finally {
      await bridge.close();
    }
  },

  /**
   * Subscribe now; `received(id)` resolves with the first envelope's file (size, sha256).
   * With `bucket`, the page reads object store links through its own connection.
   */
  async listen(r: { ws: string; subject: string; fileserverUrl?: string; bucket?: string; stream?: boolean }) {
    const bridge = createBridge({
      brokerUrl: r.ws,
      ...(r.fileserverUrl ? { fileserverUrl: r.fileserverUrl } : {}),
      ...(r.bucket ? { stores: [objectStore({ bucket: r.bucket })] } : {}),
    });
    // A message that cannot be received goes to onError, not to the loop: the first one is the answer then.
    let refused!: (e: unknown) => void;
    const refusal = new Promise<never>((_, reject) => (refused = reject));
    const sub = await bridge.subscribe(r.subject, { stream: r.stream === true, onError: (e) => refused(e) });
    await (await bridge.connection()).flush();
    const id = crypto.randomUUID();
    listening.set(
      id,
      (async () => {
        try {
          const env = (await Promise.race([sub[Symbol.asyncIterator]().next(), refusal])).value as ReceivedEnvelope;
          const file = env.payloads.find(([n]) => n === "file")![1] as Uint8Array | PayloadStream;
          const bytes = file instanceof Uint8Array ? file : await file.bytes();
          return {
            note: textOf(env, "note"),
            size: bytes.byteLength,
            sha256: await sha256Hex(bytes),
            streamed: !(file instanceof Uint8Array),
          };
        } catch (e) {
          return { error: describe(e), code: (e as { code?: string }).code };
        } finally {
          sub.unsubscribe();
          await bridge.close();
        }
      })(),
    );
    return id;
  },
  received: (id: string) => listening.get(id),

  /** smartsend over a connection the page opened with nats.ws. */
  async natsWs({ ws, subject }: { ws: string; subject: string }) {
    const nc = await natsWsConnect({ servers: ws });
    try {
      const bridge = createBridge({ connection: nc as never });
      const [env] = await bridge.smartsend(
        subject,
        [
          ["msg", "sent over nats.ws", "text"],
          ["blob", pattern(200_000, 3), "binary"],
        ],
        { flush: true, senderName: "lab-page-nats.ws" },
      );
      return { msgId: env.msg_id, server: nc.getServer() };
    } catch (e) {
      return { error: describe(e) };
    } finally {
      await nc.drain();
    }
  },

  /**
   * OpenTelemetry in a page: registers a tracer provider (no context manager,
   * as a page without zone.js has none) and a W3C propagator, sends one
   * message, and receives the one Node publishes to `replySubject` with a
   * traceparent header. Hands back the page's send and receive spans.
   */
  async telemetry({ ws, subject, replySubject }: { ws: string; subject: string; replySubject: string }) {
    const [api, { TracerProvider }, { W3CTraceContextPropagator }] = await Promise.all([
      import("@opentelemetry/api"),
      import("@opentelemetry/sdk-trace"),
      import("@opentelemetry/core"),
    ]);
    const spans: {
      name: string;
      kind: number;
      traceId: string;
      spanId: string;
      parentSpanId?: string;
      attributes: Record<string, unknown>;
    }[] = [];
    const provider = new TracerProvider({
      spanProcessors: [
        {
          onStart: () => {},
          onEnd: (s) =>
            spans.push({
              name: s.name,
              kind: s.kind,
              traceId: s.spanContext().traceId,
              spanId: s.spanContext().spanId,
              parentSpanId: s.parentSpanContext?.spanId,
              attributes: { ...s.attributes },
            }),
          forceFlush: async () => {},
          shutdown: async () => {},
        },
      ],
    });
    api.propagation.setGlobalPropagator(new W3CTraceContextPropagator());
    api.trace.setGlobalTracerProvider(provider);
    const bridge = createBridge({ brokerUrl: ws });
    try {
      const sub = await bridge.subscribe(replySubject);
      await (await bridge.connection()).flush();
      const [sent] = await bridge.smartsend(subject, [["greeting", "traced from a page", "text"]], { flush: true });
      const next = await sub[Symbol.asyncIterator]().next();
      sub.unsubscribe();
      const received = next.value as ReceivedEnvelope;
      return { msgId: sent.msg_id, receivedText: textOf(received, "greeting"), spans };
    } catch (e) {
      return { error: describe(e) };
    } finally {
      await bridge.close();
      api.trace.disable();
      api.propagation.disable();
    }
  },
};

declare global {
  interface Window {
    lab: typeof lab;
  }
}
window.lab = lab;
