import { createBridge } from "../dist/index.js";
import { readEnvelope } from "../../envelope/dist/index.js";
const stub = { info: { max_payload: 4 << 20 }, publish() {}, isClosed: () => false } as never;
const bridge = createBridge({ connection: stub, sizeThreshold: 1_000_000 });
const [, json] = await bridge.smartsend("prof", [["blob", new Uint8Array(100).fill(7), "binary"]], { isPublish: false });
const bytes = new TextEncoder().encode(json);
const dec = new TextDecoder();
const cases: Record<string, () => unknown> = {
  "decode+parse": () => JSON.parse(dec.decode(bytes)),
  "readEnvelope": () => readEnvelope(bytes, { maxBytes: 1 << 30 }),
  "smartreceive": () => bridge.smartreceive(bytes),
};
const res: Record<string, number[]> = {};
for (let r = 0; r < 7; r++) for (const [name, f] of Object.entries(cases)) {
  const c = process.cpuUsage(); let n = 0; const t0 = performance.now();
  while (performance.now() - t0 < 200) { for (let i = 0; i < 1000; i++) f(); n += 1000; await null; }
  const u = process.cpuUsage(c); (res[name] ??= []).push((u.user + u.system) / n);
}
for (const [k, v] of Object.entries(res)) console.log(k.padEnd(14), v.sort((a, b) => a - b)[3]!.toFixed(2), "µs");
