// The `@natsbridge/core/store` entry: what the author of a claim-check store
// (or of a download handler) needs and an application does not — the store
// contract's request and result types, the body and byte-source helpers, the
// URL allowlist and the retry backoff. Platform-neutral, so one file serves
// Node and browsers; the main entry keeps what applications use.

export { collectBody } from "./handler-store.js";
export { backoffDelay, buildLinkPolicy, checkLinkUrl, DEFAULT_USER_AGENT, type LinkPolicy } from "./link-policy.js";
export {
  BYTE_SOURCE,
  type ByteSource,
  bodyChunks,
  isStreamData,
  type OpenedSource,
  STREAMABLE_TYPES,
  type StreamData,
} from "./source.js";
export type {
  ClaimCheckDeleteOptions,
  ClaimCheckGetOptions,
  ClaimCheckPutRequest,
  ClaimCheckPutResult,
  ClaimCheckReader,
  ClaimCheckStore,
  ConnectionProvider,
  DownloadHandler,
  GetBody,
  PutBody,
  UploadHandler,
} from "./store.js";
export { ownsOrigins, safeFileName } from "./store.js";
