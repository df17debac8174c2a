// What both main entry points (Node and browser) export besides their platform-bound
// functions: what applications use.
export * from "@natsbridge/envelope";
export {
  type BridgeOptions,
  type EnvelopeSubscription,
  NatsBridge,
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
export { uploadHandlerStore } from "./handler-store.js";
export { DEFAULT_NAK_BACKOFF, ensureStream, nakDelay, PERMANENT_ERROR_CODES } from "./jetstream-api.js";
export type { ConsumeHandler, ConsumeOptions } from "./jetstream-consume.js";
export type { ConsumeStats, Consumption, EnsureStreamConfig, JetStreamPublishOptions, NakBackoff } from "./jetstream-types.js";
export { type DeleteConsumedOptions, type DeleteConsumedResult, deleteConsumed } from "./lifecycle.js";
export type { Logger } from "./logger.js";
export type { NatsConnectionLike, NatsHeadersLike, NatsMessageLike, NatsSubscriptionLike } from "./nats-connection.js";
export type { BaseOptions, SmartReceiveOptions, SmartSendOptions } from "./options.js";
export { PayloadStream, type PayloadStreamInfo } from "./payload-stream.js";
export type { Platform } from "./platform/types.js";
export type { SentEnvelope } from "./send.js";
export type { SlowConsumerOptions, SubscriptionStatus } from "./slow-consumer.js";
// Types an application meets in options and payload values. The helpers for
// writing a store (bodyChunks, safeFileName, checkLinkUrl...) are in
// `@natsbridge/core/store` (store-helpers.ts).
export type { ByteSource, SendPayload, StreamableType, StreamData } from "./source.js";
export type { ClaimCheckReader, ClaimCheckStore, DownloadHandler, UploadHandler } from "./store.js";
