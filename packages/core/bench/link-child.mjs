// Child processes of link.bench.ts, run with plain `node` on the built package
// (no TypeScript loader in memory), so their peak RSS is natsbridge's own.
import { createHash } from "node:crypto";
import { readFileSync, writeFileSync } from "node:fs";

// BENCH_CHILD_CORE: another build's dist/index.js (link.bench.ts's BENCH_COMPARE_CORE).
const { createBridge, fileSource, httpStore } = await import(process.env.BENCH_CHILD_CORE ?? "../dist/index.js");

const [, , role, ...args] = process.argv;
const started = performance.now();

// Peak RSS of this process. Not resourceUsage().maxRSS: on Linux that keeps
// the high-water mark of the parent the child was forked from across exec.
// VmHWM belongs to this process's own address space.
function peakRss() {
  const m = /^VmHWM:\s+(\d+) kB/m.exec(readFileSync("/proc/self/status", "utf8"));
  return m ? Number(m[1]) * 1024 : process.resourceUsage().maxRSS * 1024;
}

function report(extra = {}) {
  console.log(JSON.stringify({ maxRss: peakRss(), ms: performance.now() - started, ...extra }));
}

if (role === "idle") {
  createBridge({});
  report();
} else if (role === "send") {
  const [natsUrl, fileserverUrl, file, envelopeFile] = args;
  const bridge = createBridge({ brokerUrl: natsUrl, fileserverUrl, store: httpStore({ baseUrl: `${fileserverUrl}/big` }) });
  const [, json] = await bridge.smartsend("bench.big", [["big", fileSource(file), "binary"]], { flush: true });
  writeFileSync(envelopeFile, json);
  await bridge.close();
  report();
} else if (role === "receive") {
  const [fileserverUrl, envelopeFile] = args;
  const bridge = createBridge({ fileserverUrl });
  const env = await bridge.smartreceive(readFileSync(envelopeFile, "utf8"), { stream: true });
  const hash = createHash("sha256");
  for await (const chunk of env.payloads[0][1]) hash.update(chunk);
  report({ sha256: hash.digest("hex") });
} else {
  throw new Error(`unknown role ${role}`);
}
