// The object digest every NATS client writes into an object's meta message:
// `SHA-256=` and the base64url (padded) SHA-256 of the whole object. Hashed
// with the backend @nats-io/obj is set to (`setSha256Backend`): pure
// JavaScript by default, so it runs in browsers; `node:crypto` once an
// application on Node, Deno or Bun chooses "native", as for the library's own puts.

import { Base64UrlPaddedCodec, getSha256Backend } from "@nats-io/obj";
import { sha256 } from "js-sha256";

export const DIGEST_PREFIX = "SHA-256=";

export interface ObjectHasher {
  update(bytes: Uint8Array): void;
  /** `SHA-256=<base64url, padded>`. */
  digest(): string;
}

export async function createObjectHasher(): Promise<ObjectHasher> {
  if (getSha256Backend() === "native") {
    // The `node:` specifier, as @nats-io/obj writes it, is one browser bundlers leave out.
    const { createHash } = await import("node:crypto");
    const hash = createHash("sha256");
    return {
      update: (bytes) => void hash.update(bytes),
      digest: () => `${DIGEST_PREFIX}${Base64UrlPaddedCodec.encode(new Uint8Array(hash.digest()))}`,
    };
  }
  const hash = sha256.create();
  return {
    update: (bytes) => void hash.update(bytes),
    digest: () => `${DIGEST_PREFIX}${Base64UrlPaddedCodec.encode(new Uint8Array(hash.arrayBuffer()))}`,
  };
}
