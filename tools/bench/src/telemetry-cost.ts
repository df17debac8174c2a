// CPU cost of natsbridge's OpenTelemetry hooks per message, without NATS or
// threads in the way: smartsend (built, not published) + smartreceive of its
// JSON, in one process, in three states alternated batch by batch:
//   off  — another build of core without telemetry (BENCH_COMPARE_CORE), or
//          this one before anything is registered when that is not given;
//   none — this core, @opentelemetry/api loaded, no provider registered;
//   sdk  — this core with a tracer provider (batch span processor, spans
//          dropped), a meter provider, W3C propagation and AsyncLocalStorage.
// Reports the median µs per message of each state (BENCH_BATCHES batches of
// BENCH_BATCH messages; default 9 × 2000).
//
//   pnpm --filter @natsbridge/bench exec tsx src/telemetry-cost.ts
//   BENCH_COMPARE_CORE=/main/checkout/packages/core/dist/index.js pnpm --filter @natsbridge/bench exec tsx src/telemetry-cost.ts
import { pathToFileURL } from "node:url";
import { createBridge, type PayloadTuple } from "@natsbridge/core";
import { context, metrics, propagation, trace } from "@opentelemetry/api";
import { median } from "./median.js";
import { startBenchTelemetry } from "./otel.js";

const BATCH = Number(process.env.BENCH_BATCH ?? 2000);
const BATCHES = Number(process.env.BENCH_BATCHES ?? 9);
const other = process.env.BENCH_COMPARE_CORE
  ? ((await import(pathToFileURL(process.env.BENCH_COMPARE_CORE).href)) as { createBridge: typeof createBridge }).createBridge({})
  : undefined;
const bridge = createBridge({});
const sizes = [100, 10_000];

async function batch(b: typeof bridge, payloads: PayloadTuple[], subject: string): Promise<number> {
  const start = performance.now();
  for (let i = 0; i < BATCH; i++) {
    const [, json] = await b.smartsend(subject, payloads, { isPublish: false });
    await b.smartreceive(json);
  }
  return ((performance.now() - start) * 1000) / BATCH;
}

let stop: (() => Promise<void>) | undefined;
const results: Record<string, Record<string, number[]>> = {};
for (const size of sizes) {
  const payloads: PayloadTuple[] = [["blob", Uint8Array.from({ length: size }, (_, i) => i & 0xff), "binary"]];
  const r: Record<string, number[]> = { off: [], none: [], sdk: [] };
  results[`${size} B`] = r;
  // Warm-up (module loading, JIT) in every state.
  await batch(other ?? bridge, payloads, "cost.warm");
  await batch(bridge, payloads, "cost.warm");
  for (let i = 0; i < BATCHES; i++) {
    if (other) r.off!.push(await batch(other, payloads, "cost.off"));
    r.none!.push(await batch(bridge, payloads, "cost.none"));
    stop = await startBenchTelemetry();
    r.sdk!.push(await batch(bridge, payloads, "cost.sdk"));
    await stop();
    trace.disable();
    metrics.disable();
    propagation.disable();
    context.disable();
  }
}
console.log(`${BATCHES} batches × ${BATCH} messages (smartsend, not published, + smartreceive of its JSON), median µs per message`);
console.log("");
console.log(`| payload | ${other ? "core without telemetry | " : ""}no provider | SDK (batch processor) | SDK overhead |`);
console.log(`| --- | ${other ? "---: | " : ""}---: | ---: | ---: |`);
for (const [label, r] of Object.entries(results)) {
  const none = median(r.none!);
  const sdk = median(r.sdk!);
  console.log(
    `| ${label} | ${other ? `${median(r.off!).toFixed(1)} | ` : ""}${none.toFixed(1)} | ${sdk.toFixed(1)} | +${(sdk - none).toFixed(1)} µs |`,
  );
}
