// The browser's `httpStore`: the same options and URLs as the Node one
// (http-store.ts), sent with fetch (browser-http-transfer.ts, loaded with the
// first upload or delete, so that pages which never send by link do not load
// it). The file server must allow the page's origin by CORS (docs/browser.md).

import { type HttpStoreOptions, resolveHttpStore } from "./http-store-options.js";
import { type ClaimCheckStore, ownsOrigins } from "./store.js";

export type { HttpStoreOptions } from "./http-store-options.js";

/** A ClaimCheckStore for a plain HTTP file server, for browsers (see {@link HttpStoreOptions}). */
export function httpStore(options: HttpStoreOptions): ClaimCheckStore {
  const resolved = resolveHttpStore(options);
  const transfer = () => import("./browser-http-transfer.js");
  const store: ClaimCheckStore = {
    name: resolved.name,
    owns: ownsOrigins([resolved.origin]),
    put: async (req) => (await transfer()).putBlob(resolved, req),
  };
  if (resolved.deletes) store.delete = async (url, opts) => (await transfer()).deleteBlob(resolved, url, opts);
  return store;
}
