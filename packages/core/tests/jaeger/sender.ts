// The sending process of jaeger.integration.test.ts: one mixed message (a
// direct text payload and a 4 KB binary by link through nginx) per msg id in
// MSG_IDS, each uploaded to the matching store of STORE_URLS. Prints one JSON
// line per message sent (SEND_GAP_MS apart), then flushes its spans and exits.
import { createBridge, httpStore } from "@natsbridge/core";
import { required, startTracing } from "./otel-process.js";

const sdk = startTracing("natsbridge-sender");
const bridge = createBridge({ brokerUrl: required("NATS_URL"), sizeThreshold: 1000 });
const blob = new Uint8Array(4096).map((_, i) => i % 251);
const stores = required("STORE_URLS")
  .split(",")
  .map((baseUrl) => httpStore({ baseUrl }));
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
    await new Promise((resolve) => setTimeout(resolve, Number(process.env.SEND_GAP_MS ?? 0)));
  }
} finally {
  await bridge.close();
  await sdk.shutdown();
}
