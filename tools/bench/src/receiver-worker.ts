// The receiving side of a benchmark round, on its own thread and connection (as
// a separate process would be): counts fully processed messages into a shared
// counter the sender reads without any message passing.
import { parentPort, workerData } from "node:worker_threads";
import { connect } from "@nats-io/transport-node";
import { createBridge as ownCreateBridge } from "@natsbridge/core";
import { startBenchTelemetry } from "./otel.js";
import { referenceReceive } from "./reference-path.js";

const { url, subject, mode, size, counter, coreModule } = workerData as {
  url: string;
  subject: string;
  mode: "raw" | "reference" | "natsbridge";
  size: number;
  counter: SharedArrayBuffer;
  /** Another build of core (BENCH_COMPARE_CORE), as a file URL. */
  coreModule?: string;
};
const createBridge = coreModule ? ((await import(coreModule)) as { createBridge: typeof ownCreateBridge }).createBridge : ownCreateBridge;
const count = new Int32Array(counter);
const stopTelemetry = process.env.BENCH_OTEL === "sdk" ? await startBenchTelemetry() : undefined;
const nc = await connect({ servers: url });
const bridge = createBridge({ connection: nc });
const done = () => {
  Atomics.add(count, 0, 1);
  Atomics.notify(count, 0);
};
if (mode === "natsbridge") {
  // Warm up before the round starts: modules a first message loads (codecs, telemetry) and the JIT.
  const [, json] = await bridge.smartsend(subject, [["blob", new Uint8Array(size), "binary"]], {
    isPublish: false,
    sizeThreshold: 1_000_000,
  });
  for (let i = 0; i < 20; i++) await bridge.smartreceive(json);
}
nc.subscribe(subject, {
  callback: (_err, m) => {
    if (mode === "raw") {
      if (m.data.byteLength === size) done();
      return;
    }
    if (mode === "reference") {
      referenceReceive(m).then(
        (payloads) => (payloads[0]![1].byteLength === size ? done() : undefined),
        (e) => console.error("receive failed", e),
      );
      return;
    }
    // The whole receive an application does: parse, base64, size + sha256 checks, codec.
    bridge.smartreceive(m).then(
      (env) => ((env.payloads[0]![1] as Uint8Array).byteLength === size ? done() : undefined),
      (e) => console.error("receive failed", e),
    );
  },
});
await nc.flush();
parentPort!.postMessage("ready");
parentPort!.once("message", async () => {
  await nc.drain();
  await stopTelemetry?.();
  parentPort!.postMessage("stopped");
});
