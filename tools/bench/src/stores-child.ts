// Child processes of stores.ts: one side of a 1 GiB transfer through the
// object store, in a process of its own so that its peak RSS (VmHWM) is that
// side's alone. Run as `node --import tsx`, like the
// parent, so the "idle" role gives the loader's share of the figure.
import { createHash } from "node:crypto";
import { readFileSync, writeFileSync } from "node:fs";
import { setSha256Backend } from "@nats-io/obj";
import { createBridge, type PayloadStream } from "@natsbridge/core";
import { objectStore } from "@natsbridge/objstore";

const [, , role, natsUrl, bucket, envelopeFile, sizeArg] = process.argv;
// An application's choice (process-wide, so not the store's): @nats-io/obj hashes
// every chunk it writes, in pure JS unless told to use node:crypto.
if (process.env.BENCH_OBJ_SHA256 === "native") setSha256Backend("native");
const started = performance.now();

// Not resourceUsage().maxRSS: on Linux that keeps the forking parent's mark across exec.
function peakRss(): number {
  const m = /^VmHWM:\s+(\d+) kB/m.exec(readFileSync("/proc/self/status", "utf8"));
  return m ? Number(m[1]) * 1024 : process.resourceUsage().maxRSS * 1024;
}
const report = (extra: object = {}) => console.log(JSON.stringify({ maxRss: peakRss(), ms: performance.now() - started, ...extra }));

/** `size` bytes made on the fly, 1 MiB at a time: nothing of the payload exists in memory at once. */
async function* generated(size: number): AsyncGenerator<Uint8Array> {
  const block = new Uint8Array(1024 * 1024);
  for (let sent = 0, i = 0; sent < size; sent += block.byteLength, i++) {
    block.fill(i & 0xff);
    new DataView(block.buffer).setUint32(0, i);
    yield block.slice(0, Math.min(block.byteLength, size - sent));
  }
}

if (role === "idle") {
  createBridge({ brokerUrl: natsUrl!, store: objectStore({ bucket: bucket! }) });
  report();
} else if (role === "send") {
  const bridge = createBridge({ brokerUrl: natsUrl!, store: objectStore({ bucket: bucket! }) });
  const [, json] = await bridge.smartsend("bench.big", [["big", generated(Number(sizeArg)), "binary"]], { isPublish: false });
  writeFileSync(envelopeFile!, json);
  await bridge.close();
  report();
} else if (role === "receive") {
  const bridge = createBridge({ brokerUrl: natsUrl!, stores: [objectStore({ bucket: bucket! })] });
  const env = await bridge.smartreceive(readFileSync(envelopeFile!, "utf8"), { stream: true });
  const hash = createHash("sha256");
  for await (const chunk of env.payloads[0]![1] as PayloadStream) hash.update(chunk);
  await bridge.close();
  report({ sha256: hash.digest("hex") });
} else {
  throw new Error(`unknown role ${role}`);
}
