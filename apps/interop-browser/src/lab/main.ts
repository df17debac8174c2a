// Browser checks beyond the chat scenario, driven by tests/lab.integration.test.ts:
// - JetStream from a page: the browser entry's client (@nats-io/nats-core) has
//   no JetStream of its own, so the bridge loads @nats-io/jetstream on first use;
// - a connection made with nats.ws (the pre-v3 websocket client) handed to the
//   bridge as `connection`, for pages that already have one.

import { createBridge, ensureStream, type NatsBridge, type ReceivedEnvelope } from "@natsbridge/core";
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
      await bridge.smartsend(`${run.subject}.page`, [["n", "0", "text"], ["blob", pattern(50_000, 0), "binary"]], {
        jetstream: { stream: run.stream, onAck },
        msgId: "page-msg-0",
      });

      const received: { n: string; blobOk: boolean; msgId: string }[] = [];
      let done!: () => void;
      const all = new Promise<void>((resolve) => (done = resolve));
      const consumption = await bridge.consume(run.stream, run.consumer, (env) => {
        const blob = env.payloads.find(([n]) => n === "blob")?.[1] as Uint8Array;
        const n = textOf(env, "n")!;
        received.push({ n, blobOk: blob.byteLength === 50_000 && matchesPattern(blob, Number(n)), msgId: env.msg_id });
        if (received.length >= run.count) done();
      });
      await Promise.race([all, new Promise((_, reject) => setTimeout(() => reject(new Error(`consumed ${received.length} of ${run.count}`)), 20_000))]);
      await consumption.stop();
      return { acks, received, stats: { ...consumption.stats } };
    } catch (e) {
      return { error: describe(e) };
    } finally {
      await bridge.close();
    }
  },

  /** smartsend over a connection the page opened with nats.ws. */
  async natsWs({ ws, subject }: { ws: string; subject: string }) {
    const nc = await natsWsConnect({ servers: ws });
    try {
      const bridge = createBridge({ connection: nc as never });
      const [env] = await bridge.smartsend(subject, [
        ["msg", "sent over nats.ws", "text"],
        ["blob", pattern(200_000, 3), "binary"],
      ], { flush: true, senderName: "lab-page-nats.ws" });
      return { msgId: env.msg_id, server: nc.getServer() };
    } catch (e) {
      return { error: describe(e) };
    } finally {
      await nc.drain();
    }
  },
};

declare global {
  interface Window {
    lab: typeof lab;
  }
}
window.lab = lab;
