// The answering side of the latency benchmark, on its own thread and
// connection: raw mode echoes with msg.respond; natsbridge mode receives each
// request with subscribe (smartreceive) and answers with reply (smartsend of
// the same payload), as an application would. For diagnosis
// (BENCH_LATENCY_ONLY): "echo" answers a natsbridge request with the raw
// echo (the requester's share), "callback" answers with smartreceive + reply
// from a callback subscription (subscribe's iterator left out).
import { parentPort, workerData } from "node:worker_threads";
import { connect } from "@nats-io/transport-node";
import { createBridge } from "@natsbridge/core";

const { url, subject, mode } = workerData as { url: string; subject: string; mode: "raw" | "natsbridge" | "echo" | "callback" };
const nc = await connect({ servers: url });
if (mode === "raw" || mode === "echo") {
  nc.subscribe(subject, {
    callback: (_err, m) => {
      m.respond(m.data);
    },
  });
} else if (mode === "callback") {
  // Diagnosis only: smartreceive + reply from a callback subscription, without subscribe's iterator.
  const bridge = createBridge({ connection: nc });
  nc.subscribe(subject, { callback: (_e, m) => void bridge.smartreceive(m).then((env) => bridge.reply(env, env.payloads)) });
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
