// The chat page of walkthrough scenario 1, in the browser: it connects to
// nats-server's websocket port, sends text + avatar (+ a large file, which goes
// by link to an HTTP file server), and renders the reply's text and image.
//
// Settings come from the query string: ?ws=ws://host:port&files=http://host:port
// &prompt=<subject>&reply=<subject>. `window.chat` lets tests drive the page.

import { createBridge, httpStore, type ReceivedEnvelope, type SendPayload } from "@natsbridge/core";
import { AVATAR_RGB, PROMPT, PROMPT_SUBJECT, type PromptOptions, REPLY, RESPONSE_SUBJECT, type Receipt } from "../protocol.js";
import { type RenderedPayload, renderEntry, sha256Hex } from "./render.js";

const params = new URLSearchParams(location.search);
const settings = {
  ws: params.get("ws") ?? `ws://${location.hostname || "localhost"}:4223`,
  files: params.get("files") ?? "http://localhost:8080",
  prompt: params.get("prompt") ?? PROMPT_SUBJECT,
  reply: params.get("reply") ?? `${RESPONSE_SUBJECT}.${crypto.randomUUID()}`,
};

export interface SendRequest {
  text: string;
  /** Also send a random file of this many bytes as `attachment` (always by link). */
  attachmentBytes?: number;
  /** Ask the responder for a file of this many bytes back (it comes by link). */
  replyFileBytes?: number;
  /** Add an Arrow table payload: rows, sent as this payload type. */
  table?: { dataname: string; type: "arrowtable" | "table"; rows: Record<string, unknown>[] };
  /** Wait for the reply on the page's reply subject. Default true. */
  awaitReply?: boolean;
  timeoutMs?: number;
}

export interface SendResult {
  sent: { correlationId: string; transports: Record<string, string>; attachmentSha256?: string };
  reply?: {
    senderName: string;
    text?: string;
    receipt?: Receipt;
    payloads: RenderedPayload[];
    transports: Record<string, string>;
  };
}

// Arrow is loaded on its own (a separate chunk): the chat itself never waits for it.
const codecs = import("@natsbridge/arrow").then((m) => m.arrowCodecs());
const bridge = createBridge({ brokerUrl: settings.ws, fileserverUrl: settings.files, codecs: await codecs });
const store = httpStore({ baseUrl: settings.files });
const log = document.querySelector<HTMLElement>("#log")!;
const status = document.querySelector<HTMLElement>("#status")!;

// Resolves once the reply subscription is in place.
let markReady!: () => void;
const ready = new Promise<void>((resolve) => (markReady = resolve));
const waiting: ((env: ReceivedEnvelope) => void)[] = [];
const early: ReceivedEnvelope[] = [];

async function start(): Promise<void> {
  const nc = await bridge.connection();
  const replies = await bridge.subscribe(settings.reply, {
    onError: (error) => renderError(`a reply could not be received: ${error.code} ${error.message}`),
  });
  await nc.flush();
  status.textContent = `connected to ${settings.ws} — replies on ${settings.reply}`;
  status.dataset.state = "connected";
  markReady();
  for await (const env of replies) {
    // Each reply goes to the oldest send still waiting; send() renders it.
    const next = waiting.shift();
    if (next) next(env);
    else early.push(env);
  }
}

function nextReply(timeoutMs: number): Promise<ReceivedEnvelope> {
  const queued = early.shift();
  if (queued) return Promise.resolve(queued);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      waiting.splice(waiting.indexOf(deliver), 1);
      reject(new Error(`no reply on ${settings.reply} within ${timeoutMs} ms`));
    }, timeoutMs);
    const deliver = (env: ReceivedEnvelope) => {
      clearTimeout(timer);
      resolve(env);
    };
    waiting.push(deliver);
  });
}

async function send(request: SendRequest): Promise<SendResult> {
  const payloads: SendPayload[] = [
    [PROMPT.text, request.text, "text"],
    [PROMPT.avatar, pickedFile("#avatar") ?? (await drawAvatar()), "image"],
  ];
  const attachment = pickedFile("#attachment") ?? (request.attachmentBytes ? randomBlob(request.attachmentBytes) : undefined);
  // A Blob is stream data: it always goes by link, straight from the file to the store.
  if (attachment) payloads.push([PROMPT.attachment, attachment, "binary"]);
  if (request.replyFileBytes)
    payloads.push([PROMPT.options, { replyFileBytes: request.replyFileBytes } satisfies PromptOptions, "dictionary"]);
  if (request.table) payloads.push([request.table.dataname, request.table.rows, request.table.type]);

  const [env] = await bridge.smartsend(settings.prompt, payloads, {
    store,
    replyTo: settings.reply,
    senderName: "chat-webapp",
    receiverName: "agent-backend",
    msgPurpose: "chat",
    codecs: await codecs,
  });
  const transports = Object.fromEntries(env.payloads.map((p) => [p.dataname, p.transport]));
  const attachmentSha256 = env.payloads.find((p) => p.dataname === PROMPT.attachment)?.metadata?.sha256;
  await render("you", { payloads, payloadInfo: env.payloads } as unknown as ReceivedEnvelope);
  const result: SendResult = {
    sent: { correlationId: env.correlation_id, transports, ...(typeof attachmentSha256 === "string" ? { attachmentSha256 } : {}) },
  };
  if (request.awaitReply === false) return result;

  const reply = await nextReply(request.timeoutMs ?? 30_000);
  const rendered = await render(reply.sender_name || "backend", reply);
  const text = reply.payloads.find(([name, , type]) => name === REPLY.text && type === "text")?.[1];
  const receipt = reply.payloads.find(([name]) => name === REPLY.receipt)?.[1] as Receipt | undefined;
  result.reply = {
    senderName: reply.sender_name,
    ...(typeof text === "string" ? { text } : {}),
    ...(receipt ? { receipt } : {}),
    payloads: rendered,
    transports: Object.fromEntries(reply.payloadInfo.map((p) => [p.dataname, p.transport])),
  };
  return result;
}

function render(who: string, env: Pick<ReceivedEnvelope, "payloads" | "payloadInfo">): Promise<RenderedPayload[]> {
  const { element, payloads } = renderEntry(who, env.payloads, env.payloadInfo);
  log.append(element);
  return payloads;
}

function renderError(message: string): void {
  const div = document.createElement("div");
  div.className = "entry error";
  div.textContent = message;
  log.append(div);
}

function pickedFile(selector: string): File | undefined {
  return document.querySelector<HTMLInputElement>(selector)?.files?.[0];
}

/** A 64×64 PNG: AVATAR_RGB with a white circle. */
async function drawAvatar(): Promise<Uint8Array> {
  const canvas = new OffscreenCanvas(64, 64);
  const g = canvas.getContext("2d")!;
  g.fillStyle = `rgb(${AVATAR_RGB.join(",")})`;
  g.fillRect(0, 0, 64, 64);
  g.fillStyle = "#fff";
  g.beginPath();
  g.arc(32, 26, 12, 0, Math.PI * 2);
  g.fill();
  const blob = await canvas.convertToBlob({ type: "image/png" });
  return new Uint8Array(await blob.arrayBuffer());
}

/** Random bytes as a Blob, built in the 64 KiB pieces getRandomValues allows. */
function randomBlob(size: number): Blob {
  const parts: Uint8Array<ArrayBuffer>[] = [];
  for (let left = size; left > 0; left -= 65_536) parts.push(crypto.getRandomValues(new Uint8Array(Math.min(left, 65_536))));
  return new Blob(parts, { type: "application/octet-stream" });
}

document.querySelector<HTMLFormElement>("#composer")!.addEventListener("submit", (event) => {
  event.preventDefault();
  const text = document.querySelector<HTMLInputElement>("#text")!.value;
  send({ text }).catch((e: unknown) => renderError(String((e as Error)?.message ?? e)));
});

declare global {
  interface Window {
    chat: { ready: Promise<void>; settings: typeof settings; send: typeof send; sha256Hex: typeof sha256Hex };
  }
}

window.chat = { ready, settings, send, sha256Hex };
start().catch((e: unknown) => {
  status.textContent = `cannot connect to ${settings.ws}: ${String((e as Error)?.message ?? e)}`;
  status.dataset.state = "error";
});
