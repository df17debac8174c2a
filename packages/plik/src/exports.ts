// What both entry points (Node and browser) export besides their HTTP-bound functions.
import { PLIK_USER_AGENT } from "./client.js";

export type { BasePlikStoreOptions, PlikStore } from "./store.js";
export type { PlikHandlerResult } from "./upload-handler.js";
export { PLIK_USER_AGENT };

/**
 * Receive options for Plik links: Plik answers errors with a redirect to its
 * web app unless the client looks like a command-line tool. natsbridge reads
 * those redirects anyway; this also keeps Plik's logs and answers plain.
 * `smartreceive(msg, { ...plikReceiveOptions })`. (Browsers drop User-Agent.)
 */
export const plikReceiveOptions = Object.freeze({
  downloadHeaders: Object.freeze({ "user-agent": PLIK_USER_AGENT }) as Record<string, string>,
});
