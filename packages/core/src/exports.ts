// What both entry points (Node and browser) export besides their platform-bound functions.
export * from "@natsbridge/envelope";
export {
  NatsBridge,
  type BridgeOptions,
  type EnvelopeSubscription,
  type ReceivableMessage,
  type RequestOptions,
  type SubscribeOptions,
} from "./bridge.js";
export {
  DEFAULT_BROKER_URL,
  DEFAULT_FILESERVER_URL,
  DEFAULT_MAX_DOWNLOAD_BYTES,
  DEFAULT_MAX_ENVELOPE_BYTES,
  DEFAULT_MAX_PAYLOAD,
  DEFAULT_REQUEST_TIMEOUT,
  DEFAULT_SIZE_THRESHOLD,
  DEFAULT_UPLOAD_TIMEOUT,
  DOWNLOAD_DEFAULTS,
  SUBSCRIBER_DOWNLOAD_DEFAULTS,
} from "./defaults.js";
export type { BaseOptions, SmartReceiveOptions, SmartSendOptions } from "./options.js";
export type { SentEnvelope } from "./send.js";
export { selectTransport, type TransportCandidate, type TransportPolicy } from "./transport.js";
export { DEFAULT_NAK_BACKOFF, ensureStream, nakDelay, PERMANENT_ERROR_CODES } from "./jetstream-api.js";
export type {
  ConsumeHandler,
  ConsumeOptions,
  ConsumeStats,
  Consumption,
  EnsureStreamConfig,
  JetStreamPublishOptions,
} from "./jetstream.js";
export { deleteConsumed, type DeleteConsumedResult } from "./lifecycle.js";
export { backoffDelay, buildLinkPolicy, checkLinkUrl, DEFAULT_USER_AGENT, type LinkPolicy } from "./link-policy.js";
export { collectBody, uploadHandlerStore } from "./handler-store.js";
export { PayloadStream, type PayloadStreamInfo } from "./payload-stream.js";
export {
  BYTE_SOURCE,
  bodyChunks,
  isStreamData,
  STREAMABLE_TYPES,
  type SendPayload,
  type StreamableType,
  type ByteSource,
  type OpenedSource,
  type StreamData,
} from "./source.js";
export { safeFileName } from "./store.js";
export type {
  ClaimCheckPutRequest,
  ClaimCheckPutResult,
  ClaimCheckStore,
  DownloadHandler,
  PutBody,
  UploadHandler,
} from "./store.js";
export type { Logger } from "./logger.js";
export type { Platform } from "./platform/types.js";
