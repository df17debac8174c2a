// Lets code written for the references plug in unchanged: their upload handler
// `(fileserverUrl, dataname, bytes) → {status, uploadid, fileid, url}` becomes
// a ClaimCheckStore (their download handler becomes a reader: link-reader.ts).

import { concatBytes, toBytes, UploadFailedError } from "@natsbridge/envelope";
import { readableChunks } from "./source.js";
import { type ClaimCheckStore, ownsOrigins, type PutBody, type UploadHandler } from "./store.js";

export function uploadHandlerStore(handler: UploadHandler, fileserverUrl: string): ClaimCheckStore {
  return {
    name: "upload-handler",
    owns: ownsOrigins([fileserverUrl]),
    async put(request) {
      const bytes = await collectBody(request.body);
      const response = await handler(fileserverUrl, request.dataname, bytes);
      // The references treat anything but 200 as a failed upload.
      if (response?.status !== 200 || typeof response.url !== "string") {
        throw new UploadFailedError(`upload handler answered status ${String(response?.status)}`, {
          correlationId: request.correlationId,
          dataname: request.dataname,
          details: { status: response?.status },
        });
      }
      request.onProgress?.(bytes.byteLength, bytes.byteLength);
      return { url: response.url };
    },
  };
}

/** The whole body as one Uint8Array (for handlers and stores that cannot stream). */
export async function collectBody(body: PutBody): Promise<Uint8Array> {
  if (body instanceof Uint8Array) return body;
  const chunks: Uint8Array[] = [];
  let total = 0;
  const iterable: AsyncIterable<Uint8Array> =
    Symbol.asyncIterator in body ? (body as AsyncIterable<Uint8Array>) : readableChunks(body as ReadableStream<Uint8Array>);
  for await (const chunk of iterable) {
    const bytes = toBytes(chunk, "body chunk");
    chunks.push(bytes);
    total += bytes.byteLength;
  }
  return concatBytes(chunks, total);
}
