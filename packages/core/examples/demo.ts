// The README's demo: a receiver subscribes, a sender sends one message with a
// text, a dictionary and a binary payload, and the receiver prints what arrived.
// Run with `npm run demo` (it starts a nats-server), or against your own server:
//   NATS_URL=nats://127.0.0.1:4222 npx tsx packages/core/examples/demo.ts
import { createBridge, type PayloadTuple } from "@natsbridge/core";

const subject = "demo.natsbridge.chat";
const bridge = createBridge({ senderName: "demo-sender" });

// Receiver: decode envelopes as they arrive.
const subscription = await bridge.subscribe(subject, {
  onError: (error) => console.error(`receiver: dropped a message: ${error.code}: ${error.message}`),
});
const received = (async () => {
  for await (const envelope of subscription) {
    console.log(`receiver: got msg ${envelope.msg_id} from '${envelope.sender_name}' (correlation ${envelope.correlation_id})`);
    for (const [dataname, value, type] of envelope.payloads) {
      const shown =
        value instanceof Uint8Array
          ? `${value.byteLength} bytes [${[...value.subarray(0, 8)].join(", ")}${value.byteLength > 8 ? ", …" : ""}]`
          : JSON.stringify(value);
      console.log(`receiver:   ${dataname} (${type}): ${shown}`);
    }
    return envelope;
  }
})();
await (await bridge.connection()).flush();

// Sender: one message, three payloads of different types.
const payloads: PayloadTuple[] = [
  ["greeting", "Hello from TypeScript! สวัสดี 👋", "text"],
  ["settings", { language: "en", retries: 3, tags: ["demo", "natsbridge"] }, "dictionary"],
  ["sensor_dump", Uint8Array.from({ length: 2048 }, (_, i) => i % 251), "binary"],
];
const [sent] = await bridge.smartsend(subject, payloads, { msgPurpose: "chat" });
console.log(`sender: published msg ${sent.msg_id} with ${sent.payloads.length} payloads to '${subject}'`);

const envelope = await Promise.race([
  received,
  new Promise<never>((_, reject) => setTimeout(() => reject(new Error("no message within 10 s")), 10_000)),
]);
const ok =
  envelope !== undefined &&
  envelope.payloads.length === 3 &&
  envelope.payloads[0]![1] === payloads[0]![1] &&
  JSON.stringify(envelope.payloads[1]![1]) === JSON.stringify(payloads[1]![1]) &&
  (envelope.payloads[2]![1] as Uint8Array).byteLength === 2048;
console.log(ok ? "demo: OK, every payload arrived intact" : "demo: FAILED, payloads differ");
await bridge.close();
process.exit(ok ? 0 : 1);
