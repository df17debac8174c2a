// smartsend / smartreceive and the helpers built on them (request, reply,
// subscribe). A NatsBridge holds default options, the platform (Node or
// browser) and a pool of shared connections; the top-level functions of each
// entry point use one default bridge.

import type { JsMsg } from "@nats-io/jetstream";
import type { NatsConnection } from "@nats-io/nats-core";
import {
  ChecksumMismatchError,
  type CodecRegistry,
  createDirectPayload,
  createEnvelope,
  createLinkPayload,
  decodeValue,
  directPayloadBytes,
  encodeValue,
  InternalError,
  InvalidDataError,
  InvalidEnvelopeError,
  InvalidOptionError,
  isNatsBridgeError,
  linkPayloadUrl,
  NatsBridgeError,
  PayloadTooLargeError,
  type PayloadTuple,
  type PayloadType,
  PublishFailedError,
  parseEnvelope,
  type ReceivedEnvelope,
  RequestTimeoutError,
  SizeMismatchError,
  serializeEnvelope,
  UnknownTransportError,
  uuid4,
  type WireEnvelope,
  type WirePayload,
} from "@natsbridge/envelope";
import { ConnectionPool } from "./connection.js";
import { uploadHandlerStore } from "./handler-store.js";
// Types only: the JetStream code is imported on first use (see jetstream-api.ts).
import type { ConsumeHandler, ConsumeOptions, Consumption } from "./jetstream.js";
import { deleteConsumed } from "./lifecycle.js";
import { buildLinkPolicy, type LinkPolicy } from "./link-policy.js";
import { type LinkRead, openLink, receiveReaders } from "./link-reader.js";
import { type Logger, messageLogger, redactUrl } from "./logger.js";
import type { NatsConnectionLike, NatsMessageLike, NatsSubscriptionLike } from "./nats-connection.js";
import {
  type BaseOptions,
  DEFAULT_MAX_PAYLOAD,
  resolveBase,
  resolveSizeThreshold,
  type SmartReceiveOptions,
  type SmartSendOptions,
} from "./options.js";
import { PayloadStream } from "./payload-stream.js";
import type { Platform } from "./platform/types.js";
// Types only: the slow-consumer watch is imported on the first subscribe (browser bundle size).
import type { SlowConsumerOptions } from "./slow-consumer.js";
import { isStreamData, STREAMABLE_TYPES, type StreamData } from "./source.js";
import type { ClaimCheckPutResult, ClaimCheckStore } from "./store.js";
import { loadTelemetry, type ReceiveObservation, type SendObservation, type Telemetry } from "./telemetry.js";
import { selectTransport } from "./transport.js";

/**
 * A bridge's defaults. `C` is the type of its `connection`, when one is given:
 * `bridge.connection()` returns that type (see NatsBridge).
 */
export type BridgeOptions<C extends NatsConnectionLike = NatsConnectionLike> = Omit<
  SmartSendOptions & SmartReceiveOptions,
  "correlationId" | "msgId" | "replyToMsgId" | "connection"
> & { connection?: C };

/** What smartreceive accepts: a NATS message, anything with `data` bytes, the raw bytes, or the JSON text. */
export type ReceivableMessage = NatsMessageLike | { data: Uint8Array } | Uint8Array | string;

export interface RequestOptions extends SmartSendOptions, SmartReceiveOptions {
  /** How long to wait for the reply, in ms. Default 30000. */
  timeout?: number;
}

export interface SubscribeOptions extends SmartReceiveOptions, SlowConsumerOptions {
  /** Queue group: each message goes to one member of the group. */
  queue?: string;
  /**
   * Called with the typed error and the untouched NATS message when a message
   * cannot be received; the subscription keeps going. Default: log at warn.
   */
  onError?: (error: NatsBridgeError, msg: NatsMessageLike) => void;
  /**
   * Delete each message's link blobs from this store once the loop body that
   * handled it is done (when the next message is asked for). Off by default,
   * and only allowed with a `queue` group: there each message has one
   * receiver, while on a plain subscription other subscribers of the subject
   * may still need the blob (fan-out). Blobs on other origins are never deleted.
   */
  deleteAfterConsume?: ClaimCheckStore;
}

export interface EnvelopeSubscription extends AsyncIterable<ReceivedEnvelope> {
  readonly subject: string;
  /** The underlying NATS subscription (its client's own object, typed by what all clients share). */
  readonly subscription: NatsSubscriptionLike;
  unsubscribe(): void;
  drain(): Promise<void>;
}

const DEFAULT_MAX_ENVELOPE_BYTES = 64 * 1024 * 1024;

interface SerializedPayload {
  id: string;
  dataname: string;
  payloadType: PayloadType;
  bytes: Uint8Array;
  sha256: string | undefined;
  /** Stream data (binary family only): always sent by link, never buffered; `bytes` is empty. */
  source?: StreamData;
}

/**
 * `C` is the type of the connection `connection()` hands out: the type of the
 * `connection` the bridge was created with, else nats.js v3's NatsConnection
 * (the bridge opens its own connections with nats.js v3).
 */
export class NatsBridge<C extends NatsConnectionLike = NatsConnection> {
  readonly #platform: Platform;
  readonly #pool: ConnectionPool;
  readonly #defaults: BridgeOptions<C>;
  /** OpenTelemetry (telemetry.ts), loaded on the first message; null when @opentelemetry/api is not installed. */
  #telemetry: Telemetry | null | undefined;

  constructor(platform: Platform, defaults: BridgeOptions<C> = {}) {
    // Each environment variable is read once, at its first use by this bridge:
    // process.env lookups cost about a microsecond each, several per message.
    // A bridge created after the environment changes sees the new values.
    const env = new Map<string, string | undefined>();
    this.#platform = {
      ...platform,
      env: (name) => {
        if (!env.has(name)) env.set(name, platform.env(name));
        return env.get(name);
      },
    };
    this.#pool = new ConnectionPool(platform);
    this.#defaults = defaults;
  }

  /** The connection this bridge uses: `connection` if given, else the shared one for `brokerUrl` (opened on first use). */
  async connection(options: Pick<BridgeOptions<C>, "brokerUrl" | "connectOptions" | "connection"> = {}): Promise<C> {
    // With no `connection` given, C is its default, nats.js v3's NatsConnection, which the pool opens.
    return (await this.#connection(options)) as C;
  }

  async #connection(options: Pick<BaseOptions, "brokerUrl" | "connectOptions" | "connection">): Promise<NatsConnectionLike> {
    const o = { ...this.#defaults, ...options };
    if (o.connection) return o.connection;
    return this.#pool.get(resolveBase(o, this.#platform).brokerUrl, o.connectOptions);
  }

  async #loadTelemetry(): Promise<Telemetry | null> {
    const telemetry = (await loadTelemetry()) ?? null;
    this.#telemetry = telemetry;
    return telemetry;
  }

  /** Drain and close the connections this bridge opened. Connections passed in are left alone. */
  close(): Promise<void> {
    return this.#pool.close();
  }

  /**
   * Serialize the payloads, choose direct or link for each, upload the link
   * ones, build the envelope and publish it. Returns `[envelope, envelopeJson]`.
   * Nothing is published if any step fails, and uploads already made are deleted.
   */
  smartsend(subject: string, payloads: readonly PayloadTuple[], options: SmartSendOptions = {}): Promise<[WireEnvelope, string]> {
    // telemetry hook [send]: the telemetry is loaded on the first message; `observed` is undefined
    // unless a tracer or meter provider is registered, and records the outcome. Not an async
    // function: without telemetry the send's own promise is returned as it is.
    if (this.#telemetry === undefined) return this.#loadTelemetry().then(() => this.smartsend(subject, payloads, options));
    // Nothing before #send may throw: bad input must come back as a rejected promise with a typed error.
    const o = { ...this.#defaults, ...options, correlationId: options?.correlationId ?? uuid4(), msgId: options?.msgId ?? uuid4() };
    const observed = this.#telemetry?.startSend(subject, o.correlationId, o.msgId);
    const sending = this.#send(subject, payloads, o, observed);
    return observed ? observed.outcome(sending) : sending;
  }

  async #send(
    subject: string,
    payloads: readonly PayloadTuple[],
    o: SmartSendOptions & { correlationId: string; msgId: string },
    observed: SendObservation | undefined,
  ): Promise<[WireEnvelope, string]> {
    const base = resolveBase(o, this.#platform);
    const { correlationId, msgId } = o;
    const log = messageLogger(base.logger, correlationId);
    log.debug({ subject, payloads: Array.isArray(payloads) ? payloads.length : undefined }, "smartsend: start");
    if (typeof subject !== "string" || subject.length === 0) {
      throw new InvalidDataError("subject must be a non-empty string", { correlationId });
    }
    if (!Array.isArray(payloads)) {
      throw new InvalidDataError("payloads must be an array of [dataname, data, payload_type] tuples", { correlationId });
    }

    const items = await this.#serialize(payloads, base.registry, o.checksum !== false, correlationId, log);
    const publish = o.isPublish !== false;
    const nc = o.connection ?? (publish ? await this.#pool.get(base.brokerUrl, o.connectOptions) : undefined);
    const maxPayload = o.maxPayload ?? nc?.info?.max_payload ?? DEFAULT_MAX_PAYLOAD;
    const store = o.store ?? (o.uploadHandler ? uploadHandlerStore(o.uploadHandler, base.fileserverUrl) : undefined);

    const fields = {
      sendTo: subject,
      correlationId,
      msgId,
      msgPurpose: o.msgPurpose,
      senderName: o.senderName,
      senderId: o.senderId,
      receiverName: o.receiverName,
      receiverId: o.receiverId,
      replyTo: o.replyTo,
      replyToMsgId: o.replyToMsgId,
      brokerUrl: base.brokerUrl,
      metadata: o.metadata,
    };
    const plan = selectTransport(
      items.map((it) => ({
        dataname: it.dataname,
        size: it.bytes.byteLength,
        overhead: payloadOverhead(it),
        ...(it.source ? { mustLink: true } : {}),
      })),
      {
        sizeThreshold: resolveSizeThreshold(o, this.#platform),
        maxPayload,
        envelopeOverhead: envelopeOverhead(fields),
        canLink: store !== undefined,
        alwaysLink: o.alwaysLink,
        correlationId,
      },
    );

    // Stores that live in NATS (the object store) write through this bridge's connection.
    const connection = () => (nc ? Promise.resolve(nc) : this.#connection(o));
    const uploaded: ClaimCheckPutResult[] = [];
    const cleanup = async (why: string) => {
      if (!store?.delete || uploaded.length === 0) return;
      log.debug({ blobs: uploaded.length, why }, "smartsend: deleting uploaded blobs");
      await Promise.allSettled(uploaded.map((u) => store.delete!(u.url, { connection })));
    };

    const wirePayloads: WirePayload[] = [];
    const knownBase64 = new Set<object>();
    try {
      // Uploads run one at a time so that a failure stops the rest early and a
      // large message does not open many parallel streams to the file server.
      for (const [i, it] of items.entries()) {
        const metadata = it.sha256 ? { sha256: it.sha256 } : {};
        if (plan[i] === "direct") {
          log.debug({ dataname: it.dataname, size: it.bytes.byteLength }, "smartsend: direct transport");
          const direct = createDirectPayload({ ...it, metadata });
          knownBase64.add(direct);
          wirePayloads.push(direct);
          continue;
        }
        log.debug(
          { dataname: it.dataname, size: it.source ? "stream" : it.bytes.byteLength, store: store!.name },
          "smartsend: link transport, uploading",
        );
        const { putLinkPayload } = await import("./upload.js");
        const put = () =>
          putLinkPayload(store!, this.#platform, it.source ? { ...it, bytes: undefined } : it, {
            correlationId,
            msgId,
            checksum: o.checksum !== false,
            signal: o.signal,
            connection,
            onProgress: o.onUploadProgress
              ? (sentBytes, totalBytes) => o.onUploadProgress!({ dataname: it.dataname, sentBytes, totalBytes })
              : undefined,
          });
        // telemetry hook [send:upload]: the upload runs inside its span.
        const { result, size, sha256 } = await (observed ? observed.upload(it, store!, put) : put());
        uploaded.push(result);
        log.debug({ dataname: it.dataname, url: redactUrl(result.url), size }, "smartsend: uploaded");
        // Store facts first, so they can never overwrite the size and checksum receivers verify.
        wirePayloads.push(
          createLinkPayload({
            id: it.id,
            dataname: it.dataname,
            payloadType: it.payloadType,
            url: result.url,
            size,
            metadata: { ...result.metadata, payload_bytes: size, ...(sha256 ? { sha256 } : {}) },
          }),
        );
      }

      const envelope = createEnvelope({ ...fields, payloads: wirePayloads });
      const serialized = serializeEnvelope(envelope, { knownBase64 });
      const json = serialized.json;
      if (publish) {
        const bytes = serialized.bytes();
        if (bytes.byteLength > maxPayload) {
          throw new PayloadTooLargeError(
            `envelope is ${bytes.byteLength} bytes, over the server's max_payload of ${maxPayload}. Nothing was published.`,
            { correlationId, details: { bytes: bytes.byteLength, maxPayload } },
          );
        }
        // telemetry hook [send:publish]: starts the publish span; the trace context as NATS headers.
        const headers = observed?.publishing(bytes, o);
        if (o.jetstream) {
          const js = o.jetstream === true ? {} : o.jetstream;
          const { publishToJetStream } = await import("./jetstream.js");
          await publishToJetStream(nc!, subject, bytes, msgId, js, { correlationId, signal: o.signal, log, headers });
        } else {
          try {
            nc!.publish(subject, bytes, headers && { headers });
            if (o.flush) await nc!.flush();
          } catch (cause) {
            throw new PublishFailedError(`publish to '${subject}' failed: ${String((cause as Error)?.message ?? cause)}`, {
              cause,
              correlationId,
            });
          }
        }
        observed?.published(); // telemetry hook [send:published]
        log.debug({ subject, bytes: bytes.byteLength }, "smartsend: published");
      }
      return [envelope, json];
    } catch (error) {
      // A JetStream publish whose ack was lost may have been stored: its message needs its blobs.
      if (isNatsBridgeError(error) && error.details.stored === "unknown") {
        log.warn({ blobs: uploaded.length, code: error.code }, "smartsend: publish outcome unknown, uploaded blobs kept");
      } else {
        await cleanup(error instanceof NatsBridgeError ? error.code : "error");
      }
      throw error;
    }
  }

  async #serialize(
    payloads: readonly PayloadTuple[],
    registry: CodecRegistry,
    checksum: boolean,
    correlationId: string,
    log: Logger,
  ): Promise<SerializedPayload[]> {
    const items: SerializedPayload[] = [];
    for (const [i, tuple] of payloads.entries()) {
      if (!Array.isArray(tuple) || tuple.length !== 3 || typeof tuple[0] !== "string" || typeof tuple[2] !== "string") {
        throw new InvalidDataError(`payloads[${i}] must be a [dataname, data, payload_type] tuple`, { correlationId });
      }
      const [dataname, data, payloadType] = tuple;
      if (STREAMABLE_TYPES.has(payloadType) && isStreamData(data)) {
        // Streamed to the store later; its size and sha256 are measured on the way.
        log.debug({ dataname, payload_type: payloadType }, "smartsend: stream payload");
        items.push({ id: uuid4(), dataname, payloadType, bytes: new Uint8Array(0), sha256: undefined, source: data });
        continue;
      }
      const bytes = await encodeValue(registry, data, { dataname, payloadType, correlationId });
      const sha256 = checksum ? await this.#platform.sha256(bytes) : undefined;
      log.debug({ dataname, payload_type: payloadType, size: bytes.byteLength }, "smartsend: serialized payload");
      items.push({ id: uuid4(), dataname, payloadType, bytes, sha256 });
    }
    return items;
  }

  /**
   * Parse an envelope and decode every payload, downloading link payloads.
   * Returns the envelope with `payloads` as `[dataname, value, payload_type]`.
   * Every failure is a NatsBridgeError with a stable code.
   */
  smartreceive(msg: ReceivableMessage, options: SmartReceiveOptions = {}): Promise<ReceivedEnvelope> {
    // telemetry hook [receive]: as in smartsend.
    if (this.#telemetry === undefined) return this.#loadTelemetry().then(() => this.smartreceive(msg, options));
    const o: SmartReceiveOptions = { ...this.#defaults, ...options };
    const observed = this.#telemetry?.startReceive(msg);
    const receiving = this.#receive(msg, o, observed).catch((error: unknown) => {
      if (isNatsBridgeError(error)) throw error;
      throw new InternalError(`unexpected error in smartreceive: ${String((error as Error)?.message ?? error)}`, { cause: error });
    });
    return observed ? observed.outcome(receiving) : receiving;
  }

  async #receive(msg: ReceivableMessage, o: SmartReceiveOptions, observed: ReceiveObservation | undefined): Promise<ReceivedEnvelope> {
    const base = resolveBase(o, this.#platform);
    const env = parseEnvelope(messageData(msg), { maxBytes: o.maxEnvelopeBytes ?? DEFAULT_MAX_ENVELOPE_BYTES });
    observed?.parsed(env); // telemetry hook [receive:parsed]
    const correlationId = env.correlation_id;
    const log = messageLogger(base.logger, correlationId);
    log.debug({ payloads: env.payloads.length, send_to: env.send_to }, "smartreceive: envelope parsed");
    // Built on the first link payload only: most messages have none.
    let policy: LinkPolicy | undefined;
    const linkPolicy = () => (policy ??= buildLinkPolicy([base.fileserverUrl, ...(o.allowedOrigins ?? [])], o.allowAnyHost));

    const values: unknown[] = [];
    for (const payload of env.payloads) {
      const context = { correlationId, dataname: payload.dataname, payloadType: payload.payload_type };
      try {
        base.registry.get(payload.payload_type); // unknown types fail before any download
      } catch (error) {
        throw (error as NatsBridgeError).withContext({ correlationId, dataname: payload.dataname });
      }
      let bytes: Uint8Array;
      if (payload.transport === "direct") {
        bytes = directPayloadBytes(payload, correlationId);
        log.debug({ dataname: payload.dataname, size: bytes.byteLength }, "smartreceive: direct payload decoded");
      } else if (payload.transport === "link") {
        if (wantsStream(o.stream, payload)) {
          values.push(this.#linkStream(payload, linkPolicy, o, correlationId, log));
          continue;
        }
        // telemetry hook [receive:download]: the download runs inside its span; the options it
        // hands back report retries as span events too.
        bytes = await (observed
          ? observed.download(payload, o, (traced) => this.#download(payload, linkPolicy, traced, correlationId, log))
          : this.#download(payload, linkPolicy, o, correlationId, log));
      } else {
        throw new UnknownTransportError(
          `payload '${payload.dataname}' has unknown transport ${JSON.stringify(payload.transport)} (expected direct or link)`,
          { correlationId, dataname: payload.dataname, details: { transport: payload.transport } },
        );
      }
      if (o.verify !== false) {
        observed?.step("verify", payload, bytes); // telemetry hook [receive:verify]
        await this.#verify(payload, bytes, correlationId);
      }
      observed?.step("decode", payload, bytes); // telemetry hook [receive:decode]
      values.push(await decodeValue(base.registry, bytes, context));
      observed?.step(); // telemetry hook [receive:step-end]
    }
    log.debug({}, "smartreceive: done");
    return {
      ...env,
      payloads: env.payloads.map((p, i): PayloadTuple => [p.dataname, values[i], p.payload_type]),
      payloadInfo: env.payloads.map(({ data, ...rest }) => ({ ...rest, data: rest.transport === "link" ? data : undefined })),
    };
  }

  async #download(
    payload: WirePayload,
    linkPolicy: () => LinkPolicy,
    o: SmartReceiveOptions,
    correlationId: string,
    log: Logger,
  ): Promise<Uint8Array> {
    const url = linkPayloadUrl(payload, correlationId);
    try {
      const link = this.#openLink(url, linkPolicy, o, correlationId);
      log.debug({ dataname: payload.dataname, url: redactUrl(url), via: link.via }, "smartreceive: link payload, downloading");
      // Hash while the bytes arrive, so verifying costs no second pass after the download.
      const expected = o.verify !== false && typeof payload.metadata.sha256 === "string" && payload.metadata.sha256;
      const hash = expected ? this.#platform.createSha256() : undefined;
      const { downloadOptions } = await import("./download.js");
      const options = downloadOptions(payload, o, correlationId);
      const bytes = await link.bytes(hash ? { ...options, onChunk: (c) => hash.update(c) } : options, payload.size);
      if (hash) downloadedDigests.set(bytes, await hash.digest());
      log.debug({ dataname: payload.dataname, size: bytes.byteLength }, "smartreceive: downloaded");
      return bytes;
    } catch (error) {
      throw (error as NatsBridgeError).withContext({ correlationId, dataname: payload.dataname });
    }
  }

  /** A link payload as a PayloadStream: the URL is checked now, the download starts when the caller reads. */
  #linkStream(
    payload: WirePayload,
    linkPolicy: () => LinkPolicy,
    o: SmartReceiveOptions,
    correlationId: string,
    log: Logger,
  ): PayloadStream {
    const url = linkPayloadUrl(payload, correlationId);
    const sha256 = typeof payload.metadata.sha256 === "string" && payload.metadata.sha256 ? payload.metadata.sha256 : undefined;
    const info = { dataname: payload.dataname, payloadType: payload.payload_type, url, size: payload.size, sha256 };
    const checks = { platform: this.#platform, verify: o.verify !== false, correlationId };
    let link: LinkRead;
    try {
      link = this.#openLink(url, linkPolicy, o, correlationId);
    } catch (error) {
      throw (error as NatsBridgeError).withContext({ correlationId, dataname: payload.dataname });
    }
    log.debug({ dataname: payload.dataname, url: redactUrl(url), via: link.via }, "smartreceive: link payload, handed out as a stream");
    return new PayloadStream(
      info,
      async function* () {
        try {
          const { downloadOptions } = await import("./download.js");
          yield* link.chunks(downloadOptions(payload, o, correlationId));
        } catch (error) {
          throw (error as NatsBridgeError).withContext({ correlationId, dataname: payload.dataname });
        }
      },
      checks,
    );
  }

  /** Which store (or the HTTP GET) reads a link URL; refused URLs throw here. */
  #openLink(url: string, linkPolicy: () => LinkPolicy, o: SmartReceiveOptions, correlationId: string): LinkRead {
    return openLink(url, {
      platform: this.#platform,
      readers: receiveReaders(o),
      policy: linkPolicy,
      connection: () => this.#connection(o),
      correlationId,
    });
  }

  async #verify(payload: WirePayload, bytes: Uint8Array, correlationId: string): Promise<void> {
    const context = { correlationId, dataname: payload.dataname };
    if (payload.size !== undefined && payload.size !== bytes.byteLength) {
      throw new SizeMismatchError(`payload '${payload.dataname}' is ${bytes.byteLength} bytes but its envelope says ${payload.size}`, {
        ...context,
        details: { expected: payload.size, actual: bytes.byteLength },
      });
    }
    const expected = payload.metadata.sha256;
    if (typeof expected === "string" && expected.length > 0) {
      const actual = downloadedDigests.get(bytes) ?? (await this.#platform.sha256(bytes));
      if (actual !== expected.toLowerCase()) {
        throw new ChecksumMismatchError(`payload '${payload.dataname}' sha256 does not match its metadata`, {
          ...context,
          details: { expected, actual },
        });
      }
    }
  }

  /** Send and wait for the reply on a fresh inbox set as `reply_to`. */
  async request(subject: string, payloads: readonly PayloadTuple[], options: RequestOptions = {}): Promise<ReceivedEnvelope> {
    const nc = await this.#connection(options);
    const inbox = `_INBOX.${uuid4().replaceAll("-", "")}`;
    const sub = nc.subscribe(inbox, { max: 1 });
    const timeout = options.timeout ?? 30_000;
    const [sent] = await this.smartsend(subject, payloads, { ...options, connection: nc, replyTo: inbox }).catch((e: unknown) => {
      sub.unsubscribe();
      throw e;
    });
    const reply = await firstMessage(sub, timeout);
    if (!reply) {
      throw new RequestTimeoutError(`no reply on '${subject}' within ${timeout} ms`, {
        correlationId: sent.correlation_id,
        details: { subject, timeout },
      });
    }
    return this.smartreceive(reply, options);
  }

  /** Reply to a received envelope on its `reply_to`, keeping its correlation id. */
  async reply(
    to: Pick<ReceivedEnvelope, "reply_to" | "msg_id" | "correlation_id" | "sender_name" | "sender_id">,
    payloads: readonly PayloadTuple[],
    options: SmartSendOptions = {},
  ): Promise<[WireEnvelope, string]> {
    if (!to.reply_to) {
      throw new InvalidEnvelopeError("cannot reply: the envelope has no reply_to", { correlationId: to.correlation_id });
    }
    return this.smartsend(to.reply_to, payloads, {
      correlationId: to.correlation_id,
      replyToMsgId: to.msg_id,
      receiverName: to.sender_name,
      receiverId: to.sender_id,
      ...options,
    });
  }

  /**
   * Consume a JetStream consumer with at-least-once semantics: each message is
   * acked only after smartreceive (downloads included) and `handler`
   * succeeded, nak'ed with backoff when a retry may help, terminated when not.
   * The stream and the durable consumer must exist (see `ensureStream`).
   */
  async consume(stream: string, consumer: string, handler: ConsumeHandler, options: ConsumeOptions = {}): Promise<Consumption> {
    const nc = await this.#connection(options);
    const base = resolveBase({ ...this.#defaults, ...options }, this.#platform);
    const { consumeStream } = await import("./jetstream.js");
    return consumeStream(
      {
        nc,
        receive: (m: JsMsg) => this.smartreceive(m, options),
        deleteBlobs: async (envelope, store) => {
          const result = await deleteConsumed(store, envelope, { connection: () => Promise.resolve(nc) });
          if (result.failed.length > 0) {
            base.logger.warn({ correlation_id: envelope.correlation_id, failed: result.failed.length }, "consume: some blobs not deleted");
          }
          return result;
        },
        log: base.logger,
      },
      stream,
      consumer,
      handler,
      options,
    );
  }

  /**
   * Subscribe and iterate decoded envelopes. A message that cannot be received
   * goes to `onError` with its typed error and the raw message; iteration goes on.
   */
  async subscribe(subject: string, options: SubscribeOptions = {}): Promise<EnvelopeSubscription> {
    const cleanupStore = options.deleteAfterConsume;
    if (cleanupStore && !options.queue) {
      throw new InvalidOptionError(
        "deleteAfterConsume needs a queue group: on a plain subscription other subscribers may still need the blobs (fan-out). " +
          "Use expiry (Plik TTL, an S3 lifecycle rule) instead, or call deleteConsumed() yourself when you know you are the only reader.",
      );
    }
    const nc = await this.#connection(options);
    const base = resolveBase({ ...this.#defaults, ...options }, this.#platform);
    // [slow-consumer hook] Reports slow consumers and disconnects (slow-consumer.ts):
    // adds nats.js v3's `slow` threshold to the subscribe options, watches the
    // connection's status, and ends the iteration with a SlowConsumerError when
    // the server cut the subscriber off and no `onStatus` was given.
    const { slowConsumerWatch } = await import("./slow-consumer.js");
    const slow = slowConsumerWatch(nc, subject, options, base.logger);
    const subscribeOptions: { queue?: string; slow?: number } = {
      ...(options.queue ? { queue: options.queue } : {}),
      ...slow.subscribeOptions,
    };
    const sub = nc.subscribe(subject, subscribeOptions);
    slow.watch(sub, () => sub.unsubscribe());
    const onError =
      options.onError ??
      ((error: NatsBridgeError) =>
        base.logger.warn({ correlation_id: error.correlationId, code: error.code, err: error.message }, "subscribe: message dropped"));
    const receive = (m: NatsMessageLike) => this.smartreceive(m, options);
    async function* envelopes(): AsyncGenerator<ReceivedEnvelope> {
      for await (const m of sub) {
        let received: ReceivedEnvelope;
        try {
          received = await receive(m);
        } catch (error) {
          try {
            onError(error as NatsBridgeError, m);
          } catch {
            // An onError that throws must not end the subscription.
          }
          continue;
        }
        yield received;
        // The caller asked for the next message: it is done with this one.
        if (cleanupStore) {
          const result = await deleteConsumed(cleanupStore, received, { connection: () => Promise.resolve(nc) });
          if (result.failed.length > 0) {
            base.logger.warn(
              { correlation_id: received.correlation_id, failed: result.failed.length },
              "subscribe: some blobs not deleted",
            );
          }
        }
      }
    }
    const iterator = slow.guard(envelopes()); // [slow-consumer hook]
    return {
      subject,
      subscription: sub,
      [Symbol.asyncIterator]: () => iterator,
      unsubscribe: () => {
        slow.stop(); // [slow-consumer hook]
        sub.unsubscribe();
      },
      drain: () => {
        slow.stop(); // [slow-consumer hook]
        return sub.drain();
      },
    };
  }
}

/** SHA-256 of downloaded link payloads, computed during the download. */
const downloadedDigests = new WeakMap<Uint8Array, string>();

/** `stream: true` streams the binary family; a function decides for any link payload. */
function wantsStream(stream: SmartReceiveOptions["stream"], payload: WirePayload): boolean {
  if (typeof stream === "function") return stream(payload) === true;
  return stream === true && STREAMABLE_TYPES.has(payload.payload_type);
}

function messageData(msg: ReceivableMessage): Uint8Array | string {
  if (typeof msg === "string" || msg instanceof Uint8Array) return msg;
  if (msg && typeof msg === "object" && (msg as { data?: unknown }).data instanceof Uint8Array) {
    return (msg as { data: Uint8Array }).data;
  }
  throw new InvalidEnvelopeError("smartreceive needs a NATS message, { data: Uint8Array }, bytes or a JSON string");
}

/**
 * An upper bound of the envelope's JSON bytes without payloads, computed
 * without building it: the fixed keys, ids and timestamp, the caller's strings
 * at worst-case escaping, and the metadata as JSON.
 */
function envelopeOverhead(fields: { metadata?: object | undefined } & Record<string, unknown>): number {
  let n = 600;
  for (const value of Object.values(fields)) if (typeof value === "string") n += 6 * value.length;
  return n + (fields.metadata ? utf8Length(JSON.stringify(fields.metadata)) : 2);
}

/**
 * An upper bound of the JSON bytes a direct payload adds besides its base64
 * data, computed without building it: fixed keys and values (id, transport,
 * encoding, sha256, two size numbers) plus the dataname and type at their
 * worst-case JSON escaping (6 bytes per UTF-16 unit, as `\uXXXX`).
 */
function payloadOverhead(it: SerializedPayload): number {
  return 320 + 6 * (it.dataname.length + it.payloadType.length);
}

function utf8Length(text: string): number {
  let n = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x80) n += 1;
    else if (c < 0x800) n += 2;
    else if (c >= 0xd800 && c <= 0xdbff) {
      n += 4;
      i++;
    } else n += 3;
  }
  return n;
}

async function firstMessage(sub: NatsSubscriptionLike, timeout: number): Promise<NatsMessageLike | undefined> {
  const timer = setTimeout(() => sub.unsubscribe(), timeout);
  try {
    for await (const m of sub) return m;
    return undefined;
  } finally {
    clearTimeout(timer);
  }
}
