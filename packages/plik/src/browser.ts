// @natsbridge/plik in browsers (the "browser" condition of package.json
// exports): the same store over fetch + FormData. Plik sends no CORS headers,
// so a page on another origin reaches it through a reverse proxy that adds
// them; see docs/packages/plik.md.
import { browserPlikHttp } from "./http-browser.js";
import { type BasePlikStoreOptions, createPlikStore, type PlikStore } from "./store.js";
import { oneshotUploadWith } from "./upload-handler.js";

export * from "./exports.js";

export type PlikStoreOptions = BasePlikStoreOptions;

/** A ClaimCheckStore on a Plik server; `url` is required (pages have no environment). */
export function plikStore(options: PlikStoreOptions = {}): PlikStore {
  return createPlikStore(options, browserPlikHttp(), undefined);
}

/** The references' one-shot upload handler, over fetch. */
export const plikOneshotUpload = oneshotUploadWith(browserPlikHttp());
