// The answering side of the latency benchmark, on its own thread and
// connection: raw mode echoes with msg.respond; natsbridge mode receives each
// request with subscribe (smartreceive) and answers with reply (smartsend of
// the same payload), as an application would.
import { parentPort, workerData } from "node:worker_threads";
import { connect } from "@nats-io/transport-node";
import { createBridge } from "@natsbridge/core";

const { url, subject, mode } = workerData as { url: string; subject: string; mode: "raw" | "natsbridge" };
const nc = await connect({ servers: url });
if (mode === "raw") {
  nc.subscribe(subject, {
    callback: (_err, m) => {
      m.respond(m.data);
    },
  });
} else {
  const bridge = createBridge({ connection: nc });
  const sub = await bridge.subscribe(subject);
  void (async () => {
    for await (const env of sub) await bridge.reply(env, env.payloads);
  })();
}
await nc.flush();
parentPort!.postMessage("ready");
parentPort!.once("message", async () => {
  await nc.drain();
  parentPort!.postMessage("stopped");
});
