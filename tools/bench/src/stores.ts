// Claim-check stores side by side, one run, real servers on loopback
// (nats-server with JetStream, nginx WebDAV, versitygw): a 100 MB payload sent
// with smartsend and received with smartreceive (sha256 verified) through
// the JetStream object store, httpStore on nginx and the S3 store on
// versitygw, each as a ratio to raw undici PUT + GET of the same bytes on the
// same nginx; then the peak RSS of a process sending 1 GiB into the object
// store and of one receiving it as a stream (stores-child.ts). Not a test:
//
//   pnpm --filter @natsbridge/bench run bench:stores
//   BENCH_MB=100 BENCH_GIB_MB=1024 BENCH_RUNS=3 NATS_SERVER_BIN=... (defaults shown; 0 skips a part)
//
// The figures depend on the machine and on what else runs on it: read the
// ratios, and run it again before believing a difference of a few percent.
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { CreateBucketCommand } from "@aws-sdk/client-s3";
import { setSha256Backend } from "@nats-io/obj";
import {
  type ClaimCheckReader,
  type ClaimCheckStore,
  createBridge,
  httpStore,
  type NatsBridge,
  type NatsConnectionLike,
  type SmartReceiveOptions,
} from "@natsbridge/core";
import { objectStore } from "@natsbridge/objstore";
import { s3Store } from "@natsbridge/s3";
import { startNatsServer, startNginxDav, startVersityGw } from "@natsbridge/test-harness";
import { request } from "undici";
import { median } from "./median.js";

const MB = 1024 * 1024;
const size = Number(process.env.BENCH_MB ?? 100) * 1_000_000;
const bigSize = Number(process.env.BENCH_GIB_MB ?? 1024) * MB;
const runs = Number(process.env.BENCH_RUNS ?? 3);
const childScript = fileURLToPath(new URL("./stores-child.ts", import.meta.url));

const nats = await startNatsServer({ jetstream: true });
const nginx = await startNginxDav();
const s3 = await startVersityGw();
const dir = mkdtempSync(join(tmpdir(), "natsbridge-bench-stores-"));
try {
  console.log(`node ${process.version}, nats-server (JetStream) + nginx + versitygw on loopback, ${runs} runs each (median)\n`);
  if (size > 0) await throughput();
  if (bigSize > 0) await memory();
} finally {
  await s3.stop();
  await nginx.dispose();
  await nats.dispose();
  rmSync(dir, { recursive: true, force: true });
}

async function throughput(): Promise<void> {
  const payload = new Uint8Array(size);
  for (let i = 0; i < size; i += 4096) payload[i] = (i / 4096) & 0xff;
  const s3Options = {
    bucket: "bench",
    endpoint: s3.endpoint,
    region: s3.region,
    forcePathStyle: true,
    credentials: { accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey },
  };
  const s3store = s3Store(s3Options);
  await s3store.client.send(new CreateBucketCommand({ Bucket: "bench" }));

  const raw = async () => {
    const url = `${nginx.url}/raw/${Math.random().toString(36).slice(2)}`;
    const put = await request(url, { method: "PUT", body: payload });
    await put.body.dump();
    const get = await request(url);
    let n = 0;
    for await (const c of get.body) n += (c as Buffer).byteLength;
    if (n !== size) throw new Error("raw download size");
  };
  const bridges: NatsBridge<NatsConnectionLike>[] = [];
  /** smartsend through `store` on one bridge, published over NATS, smartreceive on another. */
  const viaStore = (store: ClaimCheckStore, receive: SmartReceiveOptions & { stores?: readonly ClaimCheckReader[] }) => {
    const sender = createBridge({ brokerUrl: nats.url, store });
    const receiver = createBridge({ brokerUrl: nats.url, ...receive });
    bridges.push(sender, receiver);
    return async () => {
      const subject = `bench.stores.${Math.random().toString(36).slice(2)}`;
      const sub = await receiver.subscribe(subject);
      await (await receiver.connection()).flush();
      await sender.smartsend(subject, [["payload", payload, "binary"]], { flush: true });
      for await (const env of sub) {
        if ((env.payloads[0]![1] as Uint8Array).byteLength !== size) throw new Error("received size");
        break;
      }
      sub.unsubscribe();
    };
  };
  const cases: [string, () => Promise<void>][] = [
    ["raw undici PUT + GET on nginx", raw],
    // @nats-io/obj hashes what it writes in pure JS unless the application picks node:crypto (process-wide).
    [
      "object store (JetStream, 128 KiB chunks)",
      withObjSha256("js", viaStore(objectStore({ bucket: "bench" }), { stores: [objectStore({ bucket: "bench" })] })),
    ],
    [
      "object store, obj sha256 on node:crypto",
      withObjSha256("native", viaStore(objectStore({ bucket: "bench" }), { stores: [objectStore({ bucket: "bench" })] })),
    ],
    ["httpStore on nginx", viaStore(httpStore({ baseUrl: `${nginx.url}/bench` }), { allowedOrigins: [nginx.url] })],
    // Receivers without credentials GET the presigned URL, as Julia and Python do.
    ["S3 on versitygw (presigned GET)", viaStore(s3store, { allowedOrigins: s3store.origins })],
  ];
  const times = new Map<string, number[]>(cases.map(([name]) => [name, []]));
  for (const [, fn] of cases) await fn(); // warm-up: buckets, connections
  for (let i = 0; i < runs; i++) {
    // Interleaved rounds: a burst of load from elsewhere hits every case alike.
    for (const [name, fn] of cases) {
      const t = performance.now();
      await fn();
      times.get(name)!.push(performance.now() - t);
    }
  }
  const medians = new Map([...times].map(([name, ms]) => [name, median(ms)]));
  const rawMs = medians.get("raw undici PUT + GET on nginx")!;
  console.log(`Throughput, ${(size / 1e6).toFixed(0)} MB payload, upload + download (sha256 computed and verified for the stores):`);
  for (const [name, ms] of medians) {
    const moved = (2 * size) / 1e6 / (ms / 1000);
    console.log(
      `  ${name.padEnd(44)} ${ms.toFixed(0).padStart(6)} ms  ${moved.toFixed(0).padStart(5)} MB/s moved  ${(rawMs / ms).toFixed(2).padStart(5)} × raw speed`,
    );
  }
  console.log();
  await Promise.all(bridges.map((b) => b.close()));
  s3store.client.destroy();
}

function withObjSha256(backend: "js" | "native", fn: () => Promise<void>): () => Promise<void> {
  return async () => {
    setSha256Backend(backend);
    try {
      await fn();
    } finally {
      setSha256Backend("js");
    }
  };
}

async function memory(): Promise<void> {
  const envelopeFile = join(dir, "envelope.json");
  const bucket = "bench_big";
  const idle = await child(["idle", nats.url, bucket]);
  const sent = await child(["send", nats.url, bucket, envelopeFile, String(bigSize)]);
  const sentNative = await child(["send", nats.url, bucket, join(dir, "envelope-native.json"), String(bigSize)], {
    BENCH_OBJ_SHA256: "native",
  });
  const received = await child(["receive", nats.url, bucket, envelopeFile]);
  const env = JSON.parse(readFileSync(envelopeFile, "utf8")) as { payloads: { metadata: { sha256: string } }[] };
  if (received.sha256 !== env.payloads[0]!.metadata.sha256) throw new Error("1 GiB payload arrived corrupted");
  console.log(`Peak RSS (VmHWM), ${(bigSize / MB).toFixed(0)} MiB through the object store (goal < 256 MB):`);
  console.log(`  node + tsx + the bridge loaded, idle                ${mb(idle.maxRss)}`);
  console.log(`  sending (async iterable → object store, sha256)     ${mb(sent.maxRss)}  in ${(sent.ms / 1000).toFixed(1)} s`);
  console.log(`  the same, @nats-io/obj hashing on node:crypto       ${mb(sentNative.maxRss)}  in ${(sentNative.ms / 1000).toFixed(1)} s`);
  console.log(`  receiving (stream: true, sha256 verified)           ${mb(received.maxRss)}  in ${(received.ms / 1000).toFixed(1)} s`);
}

interface ChildReport {
  maxRss: number;
  ms: number;
  sha256?: string;
}

function child(argv: string[], env: Record<string, string> = {}): Promise<ChildReport> {
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, ["--import", "tsx", childScript, ...argv], {
      stdio: ["ignore", "pipe", "inherit"],
      env: { ...process.env, ...env },
    });
    let out = "";
    p.stdout.on("data", (d: Buffer) => (out += d.toString()));
    p.on("exit", (code) =>
      code === 0 ? resolve(JSON.parse(out.trim().split("\n").at(-1)!) as ChildReport) : reject(new Error(`${argv[0]} exited with ${code}`)),
    );
  });
}

function mb(bytes: number): string {
  return `${(bytes / 1e6).toFixed(0).padStart(5)} MB`;
}
