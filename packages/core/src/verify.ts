// Receive step 3: the bytes are what the sender said they are. `size` and
// `metadata.sha256` are checked when the envelope carries them (peers that
// leave them out are trusted as the references trust each other). A digest
// computed during the download is used as it is; otherwise the bytes are
// hashed here.

import { ChecksumMismatchError, isPromiseLike, SizeMismatchError, type WirePayload } from "@natsbridge/envelope";
import type { Platform } from "./platform/types.js";
import type { FetchedBytes } from "./receive-fetch.js";

/** Throws on a mismatch; a promise only when the platform hashes asynchronously (browsers). */
export function verifyPayload(
  platform: Platform,
  payload: WirePayload,
  fetched: FetchedBytes,
  correlationId: string,
): void | Promise<void> {
  const { bytes } = fetched;
  const context = { correlationId, dataname: payload.dataname };
  if (payload.size !== undefined && payload.size !== bytes.byteLength) {
    throw new SizeMismatchError(`payload '${payload.dataname}' is ${bytes.byteLength} bytes but its envelope says ${payload.size}`, {
      ...context,
      details: { expected: payload.size, actual: bytes.byteLength },
    });
  }
  const expected = payload.metadata.sha256;
  if (typeof expected !== "string" || expected.length === 0) return;
  const compare = (actual: string) => {
    if (actual !== expected.toLowerCase()) {
      throw new ChecksumMismatchError(`payload '${payload.dataname}' sha256 does not match its metadata`, {
        ...context,
        details: { expected, actual },
      });
    }
  };
  const actual = fetched.sha256 ?? platform.sha256(bytes);
  return isPromiseLike(actual) ? Promise.resolve(actual).then(compare) : compare(actual);
}
