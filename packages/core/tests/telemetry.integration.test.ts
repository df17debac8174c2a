// OpenTelemetry traces and metrics of smartsend/smartreceive, in one process
// with the OTel SDK's in-memory exporters, against a real nats-server and a
// real nginx file server. The cross-process check against a real Jaeger is
// jaeger.integration.test.ts; this file checks every span, attribute and
// metric exactly, the failures, and that nothing changes when no provider is
// registered.
import { readFileSync, writeFileSync } from "node:fs";
import { connect, type Msg, type NatsConnection } from "@nats-io/transport-node";
import { type ClaimCheckStore, createBridge, httpStore, type NatsBridge, type NatsBridgeError, type PayloadTuple } from "@natsbridge/core";
import { type NginxDav, startNginxDav } from "@natsbridge/test-harness";
import { context, metrics, propagation, SpanKind, SpanStatusCode, trace } from "@opentelemetry/api";
import { AsyncLocalStorageContextManager } from "@opentelemetry/context-async-hooks";
import { W3CTraceContextPropagator } from "@opentelemetry/core";
import { AggregationTemporality, DataPointType, MeterProvider, MetricReader, type ResourceMetrics } from "@opentelemetry/sdk-metrics";
import { type ReadableSpan, type SpanProcessor, TracerProvider } from "@opentelemetry/sdk-trace";
import { afterAll, beforeAll, beforeEach, describe, expect, inject, it } from "vitest";

const natsUrl = inject("natsUrl");
let nginx: NginxDav;
let store: ClaimCheckStore;
let bridge: NatsBridge;
let raw: NatsConnection;
let seq = 0;
const subject = () => `test.otel.${process.pid}.${++seq}`;

/** Keeps every ended span, at once (the SDK's exporters hand them over asynchronously). */
class EndedSpans implements SpanProcessor {
  spans: ReadableSpan[] = [];
  onStart(): void {}
  onEnd(span: ReadableSpan): void {
    this.spans.push(span);
  }
  reset(): void {
    this.spans = [];
  }
  async forceFlush(): Promise<void> {}
  async shutdown(): Promise<void> {}
}

/** A reader whose collect() the test calls when it wants the numbers. */
class TestReader extends MetricReader {
  constructor() {
    super({ aggregationTemporalitySelector: () => AggregationTemporality.CUMULATIVE });
  }
  protected async onForceFlush(): Promise<void> {}
  protected async onShutdown(): Promise<void> {}
}

const MIXED: PayloadTuple[] = [
  ["greeting", "hello", "text"],
  ["table", new Uint8Array(4096).map((_, i) => i % 251), "binary"],
];

beforeAll(async () => {
  nginx = await startNginxDav();
  store = httpStore({ baseUrl: `${nginx.url}/blobs` });
  // 1000 bytes: the text goes direct, the 4 KB binary by link.
  bridge = createBridge({ brokerUrl: natsUrl, fileserverUrl: nginx.url, store, sizeThreshold: 1000 });
  raw = await connect({ servers: natsUrl });
});
afterAll(async () => {
  await bridge?.close();
  await raw?.drain();
  await nginx?.dispose();
});

/** The error a promise rejects with; fails the test if it resolves. */
async function failure(p: Promise<unknown>): Promise<NatsBridgeError> {
  try {
    await p;
  } catch (e) {
    return e as NatsBridgeError;
  }
  throw new Error("expected a failure");
}

/** Publish through `send` and hand back the message as a plain subscriber got it. */
async function catchRaw(s: string, send: () => Promise<unknown>): Promise<Msg> {
  const sub = raw.subscribe(s, { max: 1 });
  await raw.flush();
  await send();
  for await (const m of sub) return m;
  throw new Error("no message");
}

describe("without a registered provider", () => {
  it("publishes exactly as before: same bytes, no headers, and receives", async () => {
    const s = subject();
    let json = "";
    const m = await catchRaw(s, async () => {
      [, json] = await bridge.smartsend(s, MIXED, { flush: true });
    });
    expect(m.headers).toBeUndefined();
    expect(new TextDecoder().decode(m.data)).toBe(json);
    const env = await bridge.smartreceive(m);
    expect(env.payloads.map((p) => p[0])).toEqual(["greeting", "table"]);
  });
});

describe("with a tracer and a meter provider registered", () => {
  const spans = new EndedSpans();
  const reader = new TestReader();
  let tracerProvider: TracerProvider;
  let meterProvider: MeterProvider;

  beforeAll(() => {
    tracerProvider = new TracerProvider({ spanProcessors: [spans] });
    meterProvider = new MeterProvider({ readers: [reader] });
    context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
    propagation.setGlobalPropagator(new W3CTraceContextPropagator());
    trace.setGlobalTracerProvider(tracerProvider);
    metrics.setGlobalMeterProvider(meterProvider);
  });
  afterAll(async () => {
    trace.disable();
    metrics.disable();
    propagation.disable();
    context.disable();
    await tracerProvider.shutdown();
    await meterProvider.shutdown();
  });
  beforeEach(() => spans.reset());

  const finished = () => spans.spans;
  const named = (name: string) => finished().filter((s) => s.name === name);
  const one = (name: string) => {
    const found = named(name);
    expect(found.map((s) => s.name)).toEqual([name]);
    return found[0]!;
  };
  const parentOf = (s: ReadableSpan) => s.parentSpanContext?.spanId;
  const idOf = (s: ReadableSpan) => s.spanContext().spanId;

  async function collect(): Promise<ResourceMetrics> {
    const { resourceMetrics, errors } = await reader.collect();
    expect(errors).toEqual([]);
    return resourceMetrics;
  }
  /** The value of a counter (sum) or the count of a histogram, at the points whose attributes include `where`. */
  function metricValue(rm: ResourceMetrics, name: string, where: Record<string, unknown> = {}): number {
    let total = 0;
    for (const scope of rm.scopeMetrics) {
      for (const metric of scope.metrics) {
        if (metric.descriptor.name !== name) continue;
        for (const point of metric.dataPoints) {
          if (!Object.entries(where).every(([k, v]) => point.attributes[k] === v)) continue;
          total += metric.dataPointType === DataPointType.HISTOGRAM ? (point.value as { count: number }).count : (point.value as number);
        }
      }
    }
    return total;
  }

  it("a mixed message: send span with upload and publish children, receive span continuing the trace", async () => {
    const before = await collect();
    const s = subject();
    let envelopeBytes = 0;
    const m = await catchRaw(s, async () => {
      const [, json] = await bridge.smartsend(s, MIXED, { flush: true, correlationId: "corr-otel-1", msgId: "msg-otel-1" });
      envelopeBytes = new TextEncoder().encode(json).byteLength;
    });
    // The trace context travels in a traceparent header; the envelope bytes are what they were.
    const traceparent = m.headers?.get("traceparent") ?? "";
    expect(traceparent).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/);
    expect(JSON.parse(new TextDecoder().decode(m.data)).msg_id).toBe("msg-otel-1");

    const received = await bridge.smartreceive(m);
    expect(received.payloads[0]![1]).toBe("hello");

    const send = one(`send ${s}`);
    expect(send.kind).toBe(SpanKind.PRODUCER);
    expect(send.attributes).toMatchObject({
      "messaging.system": "nats",
      "messaging.operation.type": "send",
      "messaging.destination.name": s,
      "messaging.message.id": "msg-otel-1",
      "messaging.message.conversation_id": "corr-otel-1",
      "messaging.message.body.size": envelopeBytes,
      "natsbridge.payload.count": 2,
      "natsbridge.payload.datanames": ["greeting", "table"],
      "natsbridge.payload.types": ["text", "binary"],
      "natsbridge.payload.transports": ["direct", "link"],
      "natsbridge.payload.sizes": [5, 4096],
    });
    expect(send.status.code).toBe(SpanStatusCode.UNSET);
    // The header carries the send span: the receive side continues from it.
    expect(traceparent).toBe(`00-${send.spanContext().traceId}-${idOf(send)}-01`);

    const upload = one("upload");
    expect(parentOf(upload)).toBe(idOf(send));
    expect(upload.kind).toBe(SpanKind.CLIENT);
    expect(upload.attributes).toMatchObject({
      "natsbridge.payload.dataname": "table",
      "natsbridge.payload.type": "binary",
      "natsbridge.transport": "link",
      "natsbridge.payload.size": 4096,
      "natsbridge.store": store.name,
    });
    const publish = one("publish");
    expect(parentOf(publish)).toBe(idOf(send));
    expect(publish.attributes["messaging.message.body.size"]).toBe(envelopeBytes);

    const receive = one(`receive ${s}`);
    expect(receive.kind).toBe(SpanKind.CONSUMER);
    expect(receive.spanContext().traceId).toBe(send.spanContext().traceId);
    expect(parentOf(receive)).toBe(idOf(send));
    expect(receive.attributes).toMatchObject({
      "messaging.system": "nats",
      "messaging.operation.type": "receive",
      "messaging.destination.name": s,
      "messaging.message.id": "msg-otel-1",
      "messaging.message.conversation_id": "corr-otel-1",
      "messaging.message.body.size": envelopeBytes,
      "natsbridge.payload.count": 2,
      "natsbridge.payload.transports": ["direct", "link"],
    });
    const download = one("download");
    expect(parentOf(download)).toBe(idOf(receive));
    expect(download.attributes).toMatchObject({
      "natsbridge.payload.dataname": "table",
      "natsbridge.payload.size": 4096,
      "natsbridge.download.attempts": 1,
    });
    expect(download.events).toEqual([]);
    // Per payload, in order: verify then decode, all children of receive.
    const steps = finished()
      .filter((x) => x.name === "verify" || x.name === "decode")
      .map((x) => [x.name, x.attributes["natsbridge.payload.dataname"], parentOf(x) === idOf(receive)]);
    expect(steps).toEqual([
      ["verify", "greeting", true],
      ["decode", "greeting", true],
      ["verify", "table", true],
      ["decode", "table", true],
    ]);

    const after = await collect();
    const delta = (name: string, where?: Record<string, unknown>) => metricValue(after, name, where) - metricValue(before, name, where);
    expect(delta("natsbridge.messages.sent")).toBe(1);
    expect(delta("natsbridge.messages.received")).toBe(1);
    expect(delta("natsbridge.payload.bytes", { "messaging.operation.type": "send", "natsbridge.transport": "direct" })).toBe(5);
    expect(delta("natsbridge.payload.bytes", { "messaging.operation.type": "send", "natsbridge.transport": "link" })).toBe(4096);
    expect(delta("natsbridge.payload.bytes", { "messaging.operation.type": "receive", "natsbridge.transport": "direct" })).toBe(5);
    expect(delta("natsbridge.payload.bytes", { "messaging.operation.type": "receive", "natsbridge.transport": "link" })).toBe(4096);
    expect(delta("natsbridge.upload.duration", { "natsbridge.store": store.name })).toBe(1);
    expect(delta("natsbridge.download.duration")).toBe(1);
    expect(delta("natsbridge.download.retries")).toBe(0);
    expect(delta("natsbridge.errors")).toBe(0);
  });

  it("subscribe continues the sender's trace; a receiver without headers starts its own", async () => {
    const s = subject();
    const sub = await bridge.subscribe(s);
    await (await bridge.connection()).flush();
    await bridge.smartsend(s, [["n", 1, "dictionary"]], { flush: true });
    for await (const env of sub) {
      expect(env.payloads[0]![1]).toBe(1);
      break;
    }
    const send = one(`send ${s}`);
    const receive = one(`receive ${s}`);
    expect(parentOf(receive)).toBe(idOf(send));
    expect(receive.spanContext().traceId).toBe(send.spanContext().traceId);

    // Bytes alone (no NATS headers): a trace of its own, the subject taken from send_to.
    spans.reset();
    const [, json] = await bridge.smartsend(s, [["n", 2, "dictionary"]], { isPublish: false });
    await bridge.smartreceive(json);
    const sent = one(`send ${s}`);
    const got = one(`receive ${s}`);
    expect(got.spanContext().traceId).not.toBe(sent.spanContext().traceId);
    expect(parentOf(got)).toBeUndefined();
    expect(got.attributes["messaging.destination.name"]).toBe(s);
    // Built but not published: no publish span.
    expect(named("publish")).toEqual([]);
  });

  it("a failing download: error span with the code, retries as events and metrics", async () => {
    const s = subject();
    const m = await catchRaw(s, () => bridge.smartsend(s, MIXED, { flush: true }));
    const before = await collect();
    nginx.setFailure(503);
    let error: NatsBridgeError;
    try {
      error = await failure(bridge.smartreceive(m, { maxRetries: 2, baseDelay: 10, maxDelay: 20 }));
    } finally {
      nginx.setFailure(null);
    }
    expect(error!.code).toBe("DOWNLOAD_FAILED");

    const download = one("download");
    expect(download.status.code).toBe(SpanStatusCode.ERROR);
    expect(download.attributes["error.type"]).toBe("DOWNLOAD_FAILED");
    expect(download.attributes["natsbridge.download.attempts"]).toBe(2);
    expect(
      download.events.map((e) => [e.name, e.attributes?.["natsbridge.retry.attempt"], e.attributes?.["natsbridge.retry.reason"]]),
    ).toEqual([
      // The status line and the excerpt of nginx's error page (http-errors.ts).
      ["retry", 1, "HTTP 503 (503 Service Temporarily Unavailable)"],
      ["exception", undefined, undefined],
    ]);
    const receive = one(`receive ${s}`);
    expect(receive.status.code).toBe(SpanStatusCode.ERROR);
    expect(receive.attributes["error.type"]).toBe("DOWNLOAD_FAILED");
    // The exception (message, stack) is recorded once, on the span where it happened.
    expect(receive.events).toEqual([]);
    expect(parentOf(download)).toBe(idOf(receive));

    const after = await collect();
    const delta = (name: string, where?: Record<string, unknown>) => metricValue(after, name, where) - metricValue(before, name, where);
    expect(delta("natsbridge.errors", { "error.type": "DOWNLOAD_FAILED", "messaging.operation.type": "receive" })).toBe(1);
    expect(delta("natsbridge.download.retries")).toBe(1);
    expect(delta("natsbridge.download.duration", { "error.type": "DOWNLOAD_FAILED" })).toBe(1);
    expect(delta("natsbridge.messages.received")).toBe(0);
  });

  it("a tampered blob: the verify span fails with CHECKSUM_MISMATCH", async () => {
    const s = subject();
    const m = await catchRaw(s, () => bridge.smartsend(s, MIXED, { flush: true }));
    const url = JSON.parse(new TextDecoder().decode(m.data)).payloads[1].data as string;
    const file = nginx.pathFor(url);
    const bytes = readFileSync(file);
    bytes[0] = bytes[0]! ^ 0xff;
    writeFileSync(file, bytes);
    const error = await failure(bridge.smartreceive(m));
    expect(error.code).toBe("CHECKSUM_MISMATCH");
    const verify = named("verify").find((v) => v.attributes["natsbridge.payload.dataname"] === "table")!;
    expect(verify.status.code).toBe(SpanStatusCode.ERROR);
    expect(verify.attributes["error.type"]).toBe("CHECKSUM_MISMATCH");
    expect(named("decode").map((d) => d.attributes["natsbridge.payload.dataname"])).toEqual(["greeting"]);
  });

  it("a failing upload: the upload and send spans fail with UPLOAD_FAILED and nothing is published", async () => {
    const before = await collect();
    const s = subject();
    nginx.setFailure(500);
    let error: NatsBridgeError;
    try {
      error = await failure(bridge.smartsend(s, MIXED));
    } finally {
      nginx.setFailure(null);
    }
    expect(error!.code).toBe("UPLOAD_FAILED");
    const upload = one("upload");
    expect(upload.attributes["error.type"]).toBe("UPLOAD_FAILED");
    expect(upload.status.code).toBe(SpanStatusCode.ERROR);
    const send = one(`send ${s}`);
    expect(send.attributes["error.type"]).toBe("UPLOAD_FAILED");
    expect(named("publish")).toEqual([]);
    const after = await collect();
    expect(
      metricValue(after, "natsbridge.errors", { "error.type": "UPLOAD_FAILED", "messaging.operation.type": "send" }) -
        metricValue(before, "natsbridge.errors", { "error.type": "UPLOAD_FAILED", "messaging.operation.type": "send" }),
    ).toBe(1);
    expect(
      metricValue(after, "natsbridge.upload.duration", { "error.type": "UPLOAD_FAILED" }) -
        metricValue(before, "natsbridge.upload.duration", { "error.type": "UPLOAD_FAILED" }),
    ).toBe(1);
  });

  it("bad input still comes back as a rejected promise with a typed error, recorded on the send span", async () => {
    const sending = bridge.smartsend(Symbol("not a subject") as never, MIXED);
    expect(sending).toBeInstanceOf(Promise);
    expect((await failure(sending)).code).toBe("INVALID_SUBJECT");
    const send = one("send ");
    expect(send.attributes["error.type"]).toBe("INVALID_SUBJECT");
    expect(send.status.code).toBe(SpanStatusCode.ERROR);
  });

  it("a malformed message: the receive span fails with INVALID_ENVELOPE", async () => {
    const error = await failure(bridge.smartreceive("{not json"));
    expect(error.code).toBe("INVALID_ENVELOPE");
    const receive = one("receive ");
    expect(receive.attributes["error.type"]).toBe("INVALID_ENVELOPE");
  });

  it("request/reply: each side's receive span continues the other side's send", async () => {
    const s = subject();
    const sub = await bridge.subscribe(s);
    await (await bridge.connection()).flush();
    const serving = (async () => {
      for await (const env of sub) {
        await bridge.reply(env, [["answer", 42, "dictionary"]]);
        break;
      }
    })();
    const answer = await bridge.request(s, [["question", "?", "text"]], { timeout: 5000 });
    await serving;
    expect(answer.payloads[0]![1]).toBe(42);
    const request = one(`send ${s}`);
    const serverReceive = one(`receive ${s}`);
    const replySend = one("send (temporary)");
    const clientReceive = one("receive (temporary)");
    expect(parentOf(serverReceive)).toBe(idOf(request));
    expect(parentOf(clientReceive)).toBe(idOf(replySend));
    expect(replySend.attributes["messaging.destination.temporary"]).toBe(true);
    // The reply is sent after the request's receive span ended (from the loop body, outside its
    // context): a trace of its own, tied to the request by the correlation id.
    expect(replySend.spanContext().traceId).not.toBe(request.spanContext().traceId);
    expect(replySend.attributes["messaging.message.conversation_id"]).toBe(request.attributes["messaging.message.conversation_id"]);
  });

  it("JetStream: the trace context rides along with Nats-Msg-Id", async () => {
    const { ensureStream } = await import("@natsbridge/core");
    const nc = await bridge.connection();
    const stream = `OTEL_${process.pid}`;
    const s = `test.otel.js.${process.pid}`;
    await ensureStream(nc, { name: stream, subjects: [s] });
    const m = await catchRaw(s, () => bridge.smartsend(s, [["x", "y", "text"]], { jetstream: { stream }, msgId: "otel-js-1" }));
    expect(m.headers?.get("Nats-Msg-Id")).toBe("otel-js-1");
    const send = one(`send ${s}`);
    expect(m.headers?.get("traceparent")).toBe(`00-${send.spanContext().traceId}-${idOf(send)}-01`);
    expect(send.attributes["natsbridge.jetstream"]).toBe(true);
  });
});
