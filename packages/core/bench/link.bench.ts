// Link-transport benchmark, one run, real servers (nats-server and nginx
// WebDAV on loopback). Not a test: `pnpm --filter @natsbridge/core run bench:link`.
//
// 1. Throughput: a 100 MB payload sent with smartsend (httpStore upload +
//    publish) and received with smartreceive (download + size/sha256 check),
//    against raw undici PUT + GET of the same bytes to the same server.
//    Goal: natsbridge ≥ 80% of raw with sha256 on.
// 2. Memory: peak RSS of a process sending a 1 GiB file (fileSource) and of a
//    process receiving it as a stream (bench/link-child.mjs, plain node on
//    dist/, so no TypeScript loader inflates the figure). Goal: < 256 MB each.
//
// Environment: BENCH_MB (default 100), BENCH_GIB_MB (default 1024), BENCH_RUNS (default 5),
// BENCH_SKIP_MEMORY=1 for the throughput part only. BENCH_COMPARE_CORE=<another
// build's dist/index.js> adds its sha256-on cases to the same rounds (before/after
// figures measured side by side).

import { spawn } from "node:child_process";
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync, writeSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { startNatsServer, startNginxDav } from "@natsbridge/test-harness";
import { request } from "undici";
import { createBridge, httpStore, type PayloadStream } from "../src/index.js";

const MB = 1024 * 1024;
// Children run with plain node on dist/ (the bench:link script builds first).
const childScript = fileURLToPath(new URL("./link-child.mjs", import.meta.url));

await main();

async function main(): Promise<void> {
  const size = Number(process.env.BENCH_MB ?? 100) * 1_000_000;
  const bigSize = Number(process.env.BENCH_GIB_MB ?? 1024) * MB;
  const runs = Number(process.env.BENCH_RUNS ?? 5);
  const nats = await startNatsServer();
  const nginx = await startNginxDav();
  const dir = mkdtempSync(join(tmpdir(), "natsbridge-bench-"));
  try {
    console.log(`node ${process.version}, nats-server + nginx on loopback, ${runs} runs each (median)\n`);
    await throughput(nats.url, nginx.url, size, runs);
    if (!process.env.BENCH_SKIP_MEMORY) await memory(nats.url, nginx.url, bigSize, dir);
  } finally {
    await nginx.dispose();
    await nats.dispose();
    rmSync(dir, { recursive: true, force: true });
  }
}

async function throughput(natsUrl: string, fileserverUrl: string, size: number, runs: number): Promise<void> {
  const payload = new Uint8Array(size);
  for (let i = 0; i < size; i += 4096) payload[i] = (i / 4096) & 0xff;
  const store = httpStore({ baseUrl: `${fileserverUrl}/bench` });
  const bridge = createBridge({ brokerUrl: natsUrl, fileserverUrl, store });
  const nc = await bridge.connection();
  const compareWith = process.env.BENCH_COMPARE_CORE;
  const other = compareWith ? ((await import(compareWith)) as typeof import("../src/index.js")) : undefined;
  const otherBridge = other?.createBridge({
    brokerUrl: natsUrl,
    fileserverUrl,
    store: other.httpStore({ baseUrl: `${fileserverUrl}/bench` }),
  });

  const raw = async () => {
    const url = `${fileserverUrl}/raw/${Math.random().toString(36).slice(2)}`;
    const put = await request(url, { method: "PUT", body: payload });
    await put.body.dump();
    const get = await request(url);
    const chunks: Buffer[] = [];
    for await (const c of get.body) chunks.push(c as Buffer);
    if (Buffer.concat(chunks).byteLength !== size) throw new Error("raw download size");
  };
  const viaBridge =
    (send: object, receive: object, b = bridge) =>
    async () => {
      const sub = nc.subscribe(`bench.link.${Math.random()}`, { max: 1 });
      const [, json] = await b.smartsend(sub.getSubject(), [["payload", payload, "binary"]], { flush: true, ...send });
      let msg: Uint8Array | undefined;
      for await (const m of sub) msg = m.data;
      const env = await b.smartreceive(msg ?? json, receive);
      const value = env.payloads[0]![1];
      const n = value instanceof Uint8Array ? value.byteLength : await drain(value as PayloadStream);
      if (n !== size) throw new Error("natsbridge download size");
    };

  const cases: [string, () => Promise<void>][] = [
    ["raw undici PUT + GET", raw],
    ["smartsend + smartreceive (sha256 on)", viaBridge({}, {})],
    ["smartsend + smartreceive (checksum off)", viaBridge({ checksum: false }, { verify: false })],
    ["smartsend + smartreceive stream (sha256 on)", viaBridge({}, { stream: true })],
  ];
  if (otherBridge) {
    cases.push(
      ["  BENCH_COMPARE_CORE build (sha256 on)", viaBridge({}, {}, otherBridge as never)],
      ["  BENCH_COMPARE_CORE build stream (sha256 on)", viaBridge({}, { stream: true }, otherBridge as never)],
    );
  }
  // Rounds interleave the cases, and each case's ratio is taken within its
  // round: load from other work on the machine then hits raw and natsbridge alike.
  const times = new Map<string, number[]>(cases.map(([name]) => [name, []]));
  const ratios = new Map<string, number[]>(cases.map(([name]) => [name, []]));
  for (const [, fn] of cases) await fn(); // warm-up
  for (let i = 0; i < runs; i++) {
    let rawMs = 0;
    for (const [name, fn] of cases) {
      const t = performance.now();
      await fn();
      const ms = performance.now() - t;
      if (name === cases[0]![0]) rawMs = ms;
      times.get(name)!.push(ms);
      ratios.get(name)!.push(rawMs / ms);
    }
  }
  console.log(`Throughput, ${(size / 1e6).toFixed(0)} MB payload, upload + download (median of ${runs} interleaved rounds):`);
  for (const [name] of cases) {
    const ms = median(times.get(name)!);
    const mbps = (2 * size) / 1e6 / (ms / 1000);
    console.log(
      `  ${name.padEnd(46)} ${ms.toFixed(0).padStart(6)} ms  ${mbps.toFixed(0).padStart(5)} MB/s moved  ${(median(ratios.get(name)!) * 100).toFixed(0).padStart(3)}% of raw`,
    );
  }
  console.log();
  await bridge.close();
  await otherBridge?.close();
}

async function memory(natsUrl: string, fileserverUrl: string, size: number, dir: string): Promise<void> {
  const file = join(dir, "big.bin");
  const fd = openSync(file, "w");
  const block = Buffer.alloc(MB);
  for (let i = 0; i < size / MB; i++) {
    block.writeUInt32LE(i, 0);
    writeSync(fd, block);
  }
  closeSync(fd);
  const envelopeFile = join(dir, "envelope.json");
  const idle = await child(["idle"]);
  const sent = await child(["send", natsUrl, fileserverUrl, file, envelopeFile]);
  const received = await child(["receive", fileserverUrl, envelopeFile]);
  const env = JSON.parse(readFileSync(envelopeFile, "utf8")) as { payloads: { metadata: { sha256: string } }[] };
  if (received.sha256 !== env.payloads[0]!.metadata.sha256) throw new Error("1 GiB payload arrived corrupted");
  console.log(`Peak RSS, ${(size / MB).toFixed(0)} MiB payload (goal < 256 MB):`);
  console.log(`  node + @natsbridge/core loaded, idle            ${mb(idle.maxRss)}`);
  console.log(`  sending (fileSource → httpStore, sha256)        ${mb(sent.maxRss)}  in ${(sent.ms / 1000).toFixed(1)} s`);
  console.log(`  receiving (stream: true, sha256 verified)       ${mb(received.maxRss)}  in ${(received.ms / 1000).toFixed(1)} s`);
  const other = process.env.BENCH_COMPARE_CORE;
  if (other) {
    const env = { BENCH_CHILD_CORE: other };
    const otherSent = await child(["send", natsUrl, fileserverUrl, file, envelopeFile], env);
    const otherReceived = await child(["receive", fileserverUrl, envelopeFile], env);
    console.log(`  BENCH_COMPARE_CORE build: sending                ${mb(otherSent.maxRss)}  in ${(otherSent.ms / 1000).toFixed(1)} s`);
    console.log(
      `  BENCH_COMPARE_CORE build: receiving              ${mb(otherReceived.maxRss)}  in ${(otherReceived.ms / 1000).toFixed(1)} s`,
    );
  }
}

interface ChildReport {
  maxRss: number;
  ms: number;
  sha256?: string;
}

function child(argv: string[], env: Record<string, string> = {}): Promise<ChildReport> {
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, [childScript, ...argv], { stdio: ["ignore", "pipe", "inherit"], env: { ...process.env, ...env } });
    let out = "";
    p.stdout.on("data", (d: Buffer) => (out += d.toString()));
    p.on("exit", (code) => {
      if (code !== 0) return reject(new Error(`${argv[0]} exited with ${code}`));
      resolve(JSON.parse(out.trim().split("\n").at(-1)!) as ChildReport);
    });
  });
}

async function drain(stream: PayloadStream): Promise<number> {
  let n = 0;
  for await (const c of stream) n += c.byteLength;
  return n;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

function mb(bytes: number): string {
  return `${(bytes / 1e6).toFixed(0).padStart(5)} MB`;
}
