// The README's demo: a receiver subscribes, a sender sends one message with a
// text, a dictionary, a small binary (all direct, inside the message) and a
// 600 KB binary that goes by link: uploaded to a file server, only its URL in
// the message (the claim-check pattern). The file server is a tiny HTTP
// PUT/GET server the demo starts itself on a free loopback port.
// Run with `pnpm demo` (it starts a nats-server), or against your own server:
//   NATS_URL=nats://127.0.0.1:4222 npx tsx packages/core/examples/demo.ts
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { createBridge, httpStore, type PayloadTuple } from "@natsbridge/core";

// The file server: PUT stores a body in memory under its path, GET returns it.
const blobs = new Map<string, Buffer>();
const files = createServer((req, res) => {
  const path = req.url ?? "/";
  if (req.method === "PUT") {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      blobs.set(path, Buffer.concat(chunks));
      res.writeHead(201).end();
    });
    return;
  }
  const blob = req.method === "GET" ? blobs.get(path) : undefined;
  if (!blob) return void res.writeHead(404).end();
  res.writeHead(200, { "content-length": blob.byteLength }).end(blob);
});
await new Promise<void>((resolve) => files.listen(0, "127.0.0.1", resolve));
const fileserverUrl = `http://127.0.0.1:${(files.address() as AddressInfo).port}`;
console.log(`demo: file server on ${fileserverUrl} (for payloads of 500 KB and more)`);

const subject = "demo.natsbridge.chat";
// The store is where large payloads go; a receiver with the same bridge trusts its origin for downloads.
const bridge = createBridge({ senderName: "demo-sender", store: httpStore({ baseUrl: `${fileserverUrl}/claims` }) });

// Receiver: decode envelopes as they arrive (link payloads are downloaded and checked).
const subscription = await bridge.subscribe(subject, {
  onError: (error) => console.error(`receiver: dropped a message: ${error.code}: ${error.message}`),
});
const received = (async () => {
  for await (const envelope of subscription) {
    console.log(
      `receiver: got msg ${envelope.msg_id} from '${envelope.sender_name}' on '${envelope.subject}' (correlation ${envelope.correlation_id})`,
    );
    envelope.payloads.forEach(([dataname, value, type], i) => {
      const info = envelope.payloadInfo[i]!;
      const shown =
        value instanceof Uint8Array
          ? `${value.byteLength} bytes [${[...value.subarray(0, 8)].join(", ")}${value.byteLength > 8 ? ", …" : ""}]`
          : JSON.stringify(value);
      const how = info.transport === "link" ? `link, downloaded from ${String(info.data)}` : "direct";
      console.log(`receiver:   ${dataname} (${type}, ${how}): ${shown}`);
    });
    return envelope;
  }
})();
await (await bridge.connection()).flush();

// Sender: one message, four payloads of different types; the large one goes by link.
const photo = Uint8Array.from({ length: 600_000 }, (_, i) => (i * 7) % 256);
const payloads: PayloadTuple[] = [
  ["greeting", "Hello from TypeScript! สวัสดี 👋", "text"],
  ["settings", { language: "en", retries: 3, tags: ["demo", "natsbridge"] }, "dictionary"],
  ["sensor_dump", Uint8Array.from({ length: 2048 }, (_, i) => i % 251), "binary"],
  ["photo", photo, "image"],
];
const [sent] = await bridge.smartsend(subject, payloads, { msgPurpose: "chat" });
console.log(`sender: published msg ${sent.msg_id} to '${subject}': ${sent.payloads.map((p) => `${p.dataname} ${p.transport}`).join(", ")}`);

const envelope = await Promise.race([
  received,
  new Promise<never>((_, reject) => setTimeout(() => reject(new Error("no message within 10 s")), 10_000)),
]);
const value = (i: number) => envelope?.payloads[i]?.[1];
const ok =
  envelope !== undefined &&
  envelope.payloads.length === 4 &&
  value(0) === payloads[0]![1] &&
  JSON.stringify(value(1)) === JSON.stringify(payloads[1]![1]) &&
  (value(2) as Uint8Array).byteLength === 2048 &&
  envelope.payloadInfo[3]!.transport === "link" &&
  Buffer.from(value(3) as Uint8Array).equals(Buffer.from(photo));
console.log(ok ? "demo: OK, every payload arrived intact (the photo by link)" : "demo: FAILED, payloads differ");
await bridge.close();
files.close();
process.exit(ok ? 0 : 1);
