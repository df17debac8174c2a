// The Node backend of the chat scenario (standing in for the walkthrough's
// Julia backend): for each prompt it answers on reply_to with a text, a
// generated PNG, a receipt of what it got (sizes, the attachment's SHA-256,
// transports), and on request a large file that goes back by link.

import { createHash } from "node:crypto";
import { createBridge, httpStore, type NatsBridge, type PayloadTuple, type ReceivedEnvelope } from "@natsbridge/core";
import { GENERATED_RGB, PROMPT, PROMPT_SUBJECT, type PromptOptions, REPLY, type Receipt, STRIPE_RGB } from "../protocol.js";
import { encodePng } from "./png.js";

export interface ResponderOptions {
  /** nats:// URL of the same server the page reaches over websockets. */
  brokerUrl: string;
  /** HTTP file server (PUT/GET) for link payloads, e.g. nginx WebDAV. */
  fileserverUrl: string;
  subject?: string;
}

export interface Responder {
  /** Prompts answered so far. */
  readonly handled: ReceivedEnvelope[];
  close(): Promise<void>;
}

export async function startResponder(options: ResponderOptions): Promise<Responder> {
  const bridge = createBridge({ brokerUrl: options.brokerUrl, fileserverUrl: options.fileserverUrl });
  const store = httpStore({ baseUrl: options.fileserverUrl });
  const sub = await bridge.subscribe(options.subject ?? PROMPT_SUBJECT, {
    onError: (error) => console.error(`responder: dropped a prompt: ${error.code} ${error.message}`),
  });
  await (await bridge.connection()).flush();
  const handled: ReceivedEnvelope[] = [];
  const loop = (async () => {
    for await (const prompt of sub) {
      try {
        await answer(bridge, store, prompt);
        handled.push(prompt);
      } catch (error) {
        console.error(`responder: cannot answer ${prompt.correlation_id}:`, error);
      }
    }
  })();
  return {
    handled,
    async close() {
      await sub.drain().catch(() => undefined);
      await loop;
      await bridge.close();
    },
  };
}

async function answer(bridge: NatsBridge, store: ReturnType<typeof httpStore>, prompt: ReceivedEnvelope): Promise<void> {
  const get = (name: string) => prompt.payloads.find(([dataname]) => dataname === name)?.[1];
  const text = String(get(PROMPT.text) ?? "");
  const avatar = get(PROMPT.avatar) as Uint8Array | undefined;
  const attachment = get(PROMPT.attachment) as Uint8Array | undefined;
  const opts = (get(PROMPT.options) ?? {}) as PromptOptions;
  const receipt: Receipt = {
    text,
    avatarBytes: avatar?.byteLength ?? 0,
    ...(attachment
      ? { attachmentBytes: attachment.byteLength, attachmentSha256: createHash("sha256").update(attachment).digest("hex") }
      : {}),
    transports: Object.fromEntries(prompt.payloadInfo.map((p) => [p.dataname, p.transport])),
  };
  const name = /I'm ([^.!]+)/.exec(text)?.[1] ?? "there";
  const reply =
    `Hello ${name}! You said "${text}". I got your ${receipt.avatarBytes}-byte avatar` +
    (attachment ? ` and a ${attachment.byteLength}-byte attachment` : "") +
    ". Here is a picture for you.";
  const payloads: PayloadTuple[] = [
    [REPLY.text, reply, "text"],
    [REPLY.image, generatedImage(), "image"],
    [REPLY.receipt, receipt, "dictionary"],
  ];
  if (opts.replyFileBytes) payloads.push([REPLY.file, reportBytes(opts.replyFileBytes), "binary"]);
  await bridge.reply(prompt, payloads, { store, senderName: "chat-backend-node" });
}

/** 96×96: GENERATED_RGB with a STRIPE_RGB band across the top quarter. */
function generatedImage(): Uint8Array {
  return encodePng(96, 96, (_x, y) => (y < 24 ? STRIPE_RGB : GENERATED_RGB));
}

/** Deterministic bytes the test can recompute: byte i = (i * 31 + 7) & 0xff. */
export function reportBytes(n: number): Uint8Array {
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = (i * 31 + 7) & 0xff;
  return out;
}
