// Run by Bun (`bun run src/smoke.ts`) and Deno (`deno run -A src/smoke.ts`)
// from tests/: the public @natsbridge/core API, resolved as an application
// would resolve it (the package's built Node entry, dist/index.js), over the
// real nats-server and nginx WebDAV server the test started (NATS_URL,
// FILESERVER_URL). A receiver bridge subscribes, a sender bridge sends text, a
// dictionary and a 5 MiB binary that goes by link through `httpStore`; prints
// one JSON line (SmokeReport) with what arrived, and exits 1 on any error.
import process from "node:process";
import { createBridge, httpStore, type NatsBridge, type ReceivedEnvelope } from "@natsbridge/core";
import { type ReceivedPayload, type SmokeReport, smokePayloads } from "./payloads.ts";

const RECEIVE_TIMEOUT_MS = 20_000;

const runtime = process.versions.bun ? "bun" : process.versions.deno ? "deno" : "node";
const version = process.versions.bun ?? process.versions.deno ?? process.versions.node;

function env(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set`);
  return value;
}

async function sha256(bytes: Uint8Array): Promise<string> {
  // WebCrypto (the same API on every runtime) digests ArrayBuffer-backed views: a copy is one.
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", new Uint8Array(bytes)));
  return [...digest].map((b) => b.toString(16).padStart(2, "0")).join("");
}

async function describe(envelope: ReceivedEnvelope): Promise<ReceivedPayload[]> {
  return Promise.all(
    envelope.payloads.map(async ([dataname, value, type], i) => {
      const info = envelope.payloadInfo[i]!;
      const seen: ReceivedPayload = { dataname, payload_type: type, transport: info.transport };
      if (value instanceof Uint8Array) {
        seen.bytes = value.byteLength;
        seen.sha256 = await sha256(value);
        if (info.transport === "link") seen.url = String(info.data);
      } else {
        seen.value = value;
      }
      return seen;
    }),
  );
}

async function roundTrip(sender: NatsBridge, receiver: NatsBridge): Promise<ReceivedPayload[]> {
  const subject = `smoke.${runtime}.${process.pid}`;
  const subscription = await receiver.subscribe(subject);
  const first = (async () => {
    for await (const envelope of subscription) return envelope;
    throw new Error("the subscription ended before a message arrived");
  })();
  // When sending fails, the subscription ends as the bridges close; that error is not the one to report.
  first.catch(() => undefined);
  // The subscription is known to the server before anything is sent.
  await (await receiver.connection()).flush();
  await sender.smartsend(subject, smokePayloads(), { msgPurpose: "chat" });
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no message within ${RECEIVE_TIMEOUT_MS} ms`)), RECEIVE_TIMEOUT_MS);
  });
  try {
    return await describe(await Promise.race([first, timeout]));
  } finally {
    clearTimeout(timer);
  }
}

async function main(): Promise<SmokeReport> {
  const brokerUrl = env("NATS_URL");
  const fileserverUrl = env("FILESERVER_URL");
  const sender = createBridge({ brokerUrl, senderName: `smoke-${runtime}`, store: httpStore({ baseUrl: `${fileserverUrl}/smoke` }) });
  // Receivers allow the file server's origin for link downloads.
  const receiver = createBridge({ brokerUrl, fileserverUrl });
  try {
    return { runtime, version, payloads: await roundTrip(sender, receiver) };
  } finally {
    await Promise.allSettled([sender.close(), receiver.close()]);
  }
}

let exitCode = 0;
let report: SmokeReport;
try {
  report = await main();
} catch (e) {
  const error = e as Error & { code?: unknown };
  report = {
    runtime,
    version,
    error: { name: error.name, ...(typeof error.code === "string" ? { code: error.code } : {}), message: error.message },
  };
  exitCode = 1;
}
console.log(JSON.stringify(report));
process.exit(exitCode);
