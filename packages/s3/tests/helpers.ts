// Shared by the integration tests: a store on the run's versitygw, and bodies.
import { createHash } from "node:crypto";
import type { ClaimCheckPutRequest } from "@natsbridge/core/store";
import { type S3Store, type S3StoreOptions, s3Store } from "@natsbridge/s3";
import { inject } from "vitest";

export const s3 = inject("s3");

export function storeOnServer(options: Partial<S3StoreOptions> = {}): S3Store {
  return s3Store({
    bucket: s3.bucket,
    endpoint: s3.endpoint,
    region: s3.region,
    forcePathStyle: true,
    credentials: { accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey },
    keyPrefix: `test-${process.pid}`,
    ...options,
  });
}

let seq = 0;
export function putRequest(body: ClaimCheckPutRequest["body"], over: Partial<ClaimCheckPutRequest> = {}): ClaimCheckPutRequest {
  const n = ++seq;
  return {
    dataname: `blob-${n}.bin`,
    payloadType: "binary",
    body,
    ...(body instanceof Uint8Array ? { size: body.byteLength } : {}),
    correlationId: `corr-${process.pid}-${n}`,
    msgId: `msg-${n}`,
    payloadId: `payload-${n}`,
    ...over,
  };
}

/** Deterministic bytes generated on the fly; the content depends on the byte offset only, not on chunkSize. */
export async function* generatedChunks(total: number, chunkSize = 1024 * 1024): AsyncGenerator<Uint8Array> {
  let sent = 0;
  let x = 2654435761;
  while (sent < total) {
    const n = Math.min(chunkSize, total - sent);
    const chunk = new Uint8Array(n);
    for (let i = 0; i < n; i++) {
      x = (Math.imul(x, 1103515245) + 12345) >>> 0;
      chunk[i] = x >>> 24;
    }
    sent += n;
    yield chunk;
  }
}

export async function sha256Of(chunks: AsyncIterable<Uint8Array>): Promise<{ sha256: string; size: number }> {
  const hash = createHash("sha256");
  let size = 0;
  for await (const c of chunks) {
    hash.update(c);
    size += c.byteLength;
  }
  return { sha256: hash.digest("hex"), size };
}

export function randomBytes(n: number): Uint8Array {
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i += 65536) crypto.getRandomValues(out.subarray(i, Math.min(n, i + 65536)));
  return out;
}

export async function fetchBytes(url: string): Promise<Uint8Array> {
  const res = await fetch(url);
  if (res.status !== 200) throw new Error(`GET ${url.split("?")[0]} → HTTP ${res.status}: ${await res.text()}`);
  return new Uint8Array(await res.arrayBuffer());
}
