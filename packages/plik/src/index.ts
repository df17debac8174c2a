// @natsbridge/plik: Plik (https://github.com/root-gg/plik) as the claim-check
// file server, the one every NATSBridge reference uses.
export { plikStore, type PlikStoreOptions } from "./store.js";
export { plikOneshotUpload, type PlikHandlerResult } from "./upload-handler.js";
import { PLIK_USER_AGENT } from "./client.js";

export { PLIK_USER_AGENT };

/**
 * Receive options for Plik links: Plik answers errors with a redirect to its
 * web app unless the client looks like a command-line tool. natsbridge reads
 * those redirects anyway; this also keeps Plik's logs and answers plain.
 * `smartreceive(msg, { ...plikReceiveOptions })`.
 */
export const plikReceiveOptions = Object.freeze({
  downloadHeaders: Object.freeze({ "user-agent": PLIK_USER_AGENT }) as Record<string, string>,
});
