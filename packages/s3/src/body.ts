// lib-storage's Upload reads Uint8Array, Blob, Node Readable and web
// ReadableStream bodies in parts of `partSize`; other async iterables become a
// ReadableStream here, pulled one chunk at a time, so nothing is buffered
// beyond the parts Upload holds.

import type { PutBody } from "@natsbridge/core/store";

export type UploadBody = Uint8Array | ReadableStream<Uint8Array>;

export function toUploadBody(body: PutBody): UploadBody {
  if (body instanceof Uint8Array) return body;
  if (typeof (body as ReadableStream<Uint8Array>).getReader === "function") return body as ReadableStream<Uint8Array>;
  if (body && typeof (body as AsyncIterable<Uint8Array>)[Symbol.asyncIterator] === "function") {
    return iterableToStream(body as AsyncIterable<Uint8Array>);
  }
  throw new TypeError("body must be a Uint8Array, a ReadableStream or an AsyncIterable of Uint8Array");
}

function iterableToStream(iterable: AsyncIterable<Uint8Array>): ReadableStream<Uint8Array> {
  const iterator = iterable[Symbol.asyncIterator]();
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      const { done, value } = await iterator.next();
      if (done) controller.close();
      else if (value instanceof Uint8Array) controller.enqueue(value);
      else controller.error(new TypeError("body chunks must be Uint8Array"));
    },
    async cancel(reason) {
      await iterator.return?.(reason);
    },
  });
}
