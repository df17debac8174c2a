// The receiving process of jaeger.integration.test.ts: subscribes, prints
// "ready", then one JSON line per message (its msg_id, or the error code),
// and after COUNT messages flushes its spans and exits.
import { createBridge, type NatsBridgeError } from "@natsbridge/core";
import { required, startTracing } from "./otel-process.js";

const sdk = startTracing("natsbridge-receiver");
const bridge = createBridge({
  brokerUrl: required("NATS_URL"),
  fileserverUrl: required("FILESERVER_URL"),
  maxRetries: 3,
  baseDelay: 20,
  maxDelay: 50,
});
const count = Number(required("COUNT"));
let seen = 0;
const sub = await bridge.subscribe(required("SUBJECT"), {
  onError: (error: NatsBridgeError) => {
    console.log(JSON.stringify({ error: error.code }));
    if (++seen >= count) sub.unsubscribe();
  },
});
await (await bridge.connection()).flush();
console.log("ready");
try {
  if (seen < count) {
    for await (const env of sub) {
      console.log(JSON.stringify({ received: env.msg_id, payloads: env.payloads.map((p) => p[0]) }));
      if (++seen >= count) break;
    }
  }
} finally {
  await bridge.close();
  await sdk.shutdown();
}
