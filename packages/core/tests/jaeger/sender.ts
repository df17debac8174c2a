// The sending process of jaeger.integration.test.ts: two mixed messages (a
// direct text payload and a 4 KB binary by link through nginx), the second
// one's blob on a path where nginx answers every GET with 503. Prints one
// JSON line per message sent, then flushes its spans and exits.
import { createBridge, httpStore } from "@natsbridge/core";
import { required, startTracing } from "./otel-process.js";

const sdk = startTracing("natsbridge-sender");
const bridge = createBridge({ brokerUrl: required("NATS_URL"), sizeThreshold: 1000 });
const blob = new Uint8Array(4096).map((_, i) => i % 251);
const stores = [httpStore({ baseUrl: required("STORE_URL") }), httpStore({ baseUrl: required("BROKEN_STORE_URL") })];
const msgIds = required("MSG_IDS").split(",");
try {
  for (const [i, msgId] of msgIds.entries()) {
    const [envelope] = await bridge.smartsend(
      required("SUBJECT"),
      [
        ["greeting", `hello ${i}`, "text"],
        ["blob", blob, "binary"],
      ],
      { store: stores[i]!, msgId, correlationId: `${msgId}-corr`, flush: true },
    );
    console.log(JSON.stringify({ sent: envelope.msg_id, transports: envelope.payloads.map((p) => p.transport) }));
  }
} finally {
  await bridge.close();
  await sdk.shutdown();
}
