// @natsbridge/plik: Plik (https://github.com/root-gg/plik) as the claim-check
// file server, the one every NATSBridge reference uses. Node entry: HTTP
// through undici, multipart bodies streamed.
import type { Dispatcher } from "undici";
import { nodePlikHttp } from "./http-node.js";
import { type BasePlikStoreOptions, createPlikStore, type PlikStore } from "./store.js";
import { oneshotUploadWith } from "./upload-handler.js";

export * from "./exports.js";

export interface PlikStoreOptions extends BasePlikStoreOptions {
  /** An undici dispatcher (proxy, TLS options, connection limits). */
  dispatcher?: Dispatcher;
}

/** A ClaimCheckStore on a Plik server (see {@link PlikStoreOptions}). */
export function plikStore(options: PlikStoreOptions = {}): PlikStore {
  return createPlikStore(options, nodePlikHttp(options.dispatcher), process.env.FILESERVER_URL);
}

/** The references' one-shot upload handler: `smartsend(subject, data, { uploadHandler: plikOneshotUpload })`. */
export const plikOneshotUpload = oneshotUploadWith(nodePlikHttp());
