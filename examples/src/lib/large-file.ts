// The large-file flow shared by large-file-plik.ts and large-file-s3.ts: a
// file is streamed from disk to the claim-check store (never held in memory),
// only its URL travels over NATS, and the receiver streams the download to
// disk, with size and SHA-256 checked on the way (a .part file renamed only
// once the checks pass).
import { createHash } from "node:crypto";
import { once } from "node:events";
import { createWriteStream } from "node:fs";
import { mkdir, open, rename, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import { type ClaimCheckStore, createBridge, fileSource, PayloadStream, type SmartReceiveOptions } from "@natsbridge/core";
import { deadline } from "./show.js";

export interface LargeFileOptions {
  store: ClaimCheckStore;
  /** The file to send. */
  path: string;
  /** Where the receiver writes it. */
  outDir: string;
  subject?: string;
  /** Receive options for this store (e.g. plikReceiveOptions). */
  receiveOptions?: SmartReceiveOptions;
  log?: (line: string) => void;
  /** NATS server; default $NATS_URL. */
  brokerUrl?: string;
}

export interface LargeFileResult {
  url: string;
  bytes: number;
  sentSha256: string;
  receivedSha256: string;
  savedAs: string;
  seconds: number;
}

export async function transferLargeFile(options: LargeFileOptions): Promise<LargeFileResult> {
  const log = options.log ?? console.log;
  const subject = options.subject ?? "files.incoming";
  const name = basename(options.path);
  const started = performance.now();
  const nats = options.brokerUrl ? { brokerUrl: options.brokerUrl } : {};
  const sender = createBridge({ ...nats, senderName: "uploader", store: options.store });
  const receiver = createBridge({ ...nats, senderName: "downloader" });
  try {
    // stream: true hands link payloads of the binary family out as streams.
    const incoming = await receiver.subscribe(subject, { ...options.receiveOptions, store: options.store, stream: true });
    await (await receiver.connection()).flush();

    let lastPercent = -10;
    const [sent] = await sender.smartsend(
      subject,
      [
        ["note", `here is ${name}`, "text"],
        [name, fileSource(options.path), "binary"],
      ],
      {
        onUploadProgress: ({ sentBytes, totalBytes }) => {
          const percent = totalBytes ? Math.floor((100 * sentBytes) / totalBytes) : 0;
          if (percent >= lastPercent + 25) {
            log(`upload ${name}: ${percent}%`);
            lastPercent = percent;
          }
        },
      },
    );
    const link = sent.payloads.find((p) => p.dataname === name)!;
    log(`sent msg ${sent.msg_id}: ${name} (${link.size} bytes) by ${link.transport}: ${String(link.data)}`);

    const received = await Promise.race([
      (async () => {
        for await (const envelope of incoming) return envelope;
        throw new Error("subscription ended");
      })(),
      deadline(120_000, "large file"),
    ]);
    const stream = received.payloads.find(([dataname]) => dataname === name)?.[1];
    if (!(stream instanceof PayloadStream)) throw new Error(`${name} did not arrive as a link payload stream`);
    await mkdir(options.outDir, { recursive: true });
    const savedAs = join(options.outDir, name);
    const receivedSha256 = await saveStream(stream, savedAs);
    log(`received ${name} into ${savedAs}`);
    return {
      url: String(link.data),
      bytes: link.size ?? 0,
      sentSha256: String(link.metadata.sha256),
      receivedSha256,
      savedAs,
      seconds: (performance.now() - started) / 1000,
    };
  } finally {
    await Promise.all([sender.close(), receiver.close()]);
  }
}

/** Writes a payload stream to `file`; the stream itself throws on a size or checksum mismatch. */
async function saveStream(stream: PayloadStream, file: string): Promise<string> {
  const part = `${file}.part`;
  const out = createWriteStream(part);
  const hash = createHash("sha256");
  try {
    for await (const chunk of stream) {
      hash.update(chunk);
      if (!out.write(chunk)) await once(out, "drain");
    }
    out.end();
    await once(out, "finish");
    await rename(part, file);
    return hash.digest("hex");
  } catch (error) {
    out.destroy();
    await rm(part, { force: true });
    throw error;
  }
}

/** A sample file of `bytes` bytes (a fixed pattern), written in 1 MiB chunks. */
export async function makeSampleFile(bytes: number, name = "sample.bin"): Promise<string> {
  const dir = join(tmpdir(), `natsbridge-example-${process.pid}`);
  await mkdir(dir, { recursive: true });
  const path = join(dir, name);
  const file = await open(path, "w");
  try {
    const chunk = Uint8Array.from({ length: 1024 * 1024 }, (_, i) => (i * 131 + 17) & 0xff);
    for (let written = 0; written < bytes; written += chunk.byteLength) {
      await file.write(chunk, 0, Math.min(chunk.byteLength, bytes - written));
    }
  } finally {
    await file.close();
  }
  return path;
}

export function report(result: LargeFileResult, log: (line: string) => void = console.log): boolean {
  const ok = result.sentSha256 === result.receivedSha256;
  const mbps = result.bytes / 1e6 / result.seconds;
  log(
    `${ok ? "OK" : "FAILED"}: ${result.bytes} bytes, sha256 ${result.receivedSha256.slice(0, 16)}…, ${result.seconds.toFixed(2)} s (${mbps.toFixed(1)} MB/s)`,
  );
  return ok;
}
