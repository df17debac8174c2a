// --trace: OpenTelemetry tracing for one command. It registers a tracer
// provider, so that @natsbridge/core makes its send and receive spans and
// puts the trace context in the NATS headers, and it remembers the trace id
// of each message (by msg_id) for the command to print. Spans are exported
// over OTLP/HTTP when OTEL_EXPORTER_OTLP_ENDPOINT (or ..._TRACES_ENDPOINT)
// is set, e.g. to a Jaeger or a collector; otherwise only the ids are shown.
// The SDK is imported only when --trace is given.

import type { ReadableSpan, SpanProcessor } from "@opentelemetry/sdk-trace";

export interface CommandTracing {
  /** The trace id of the message with this msg_id (from its send or receive span), once that span ended. */
  traceIdOf(msgId: string): string | undefined;
  /** Where spans are exported, or undefined when they are not. */
  readonly endpoint: string | undefined;
  /** Export what is left and stop. */
  shutdown(): Promise<void>;
}

export async function startTracing(env: NodeJS.ProcessEnv): Promise<CommandTracing> {
  const [api, sdk, { AsyncLocalStorageContextManager }, { W3CTraceContextPropagator }, { resourceFromAttributes }] = await Promise.all([
    import("@opentelemetry/api"),
    import("@opentelemetry/sdk-trace"),
    import("@opentelemetry/context-async-hooks"),
    import("@opentelemetry/core"),
    import("@opentelemetry/resources"),
  ]);
  const traceIds = new Map<string, string>();
  // The send and receive spans carry the msg_id; their trace is the message's.
  const recorder: SpanProcessor = {
    onStart: () => {},
    onEnd: (span: ReadableSpan) => {
      const msgId = span.attributes["messaging.message.id"];
      if (typeof msgId === "string" && (span.kind === api.SpanKind.PRODUCER || span.kind === api.SpanKind.CONSUMER)) {
        traceIds.set(msgId, span.spanContext().traceId);
      }
    },
    forceFlush: async () => {},
    shutdown: async () => {},
  };
  const endpoint = tracesEndpoint(env);
  const processors: SpanProcessor[] = [recorder];
  if (endpoint) {
    const { OTLPTraceExporter } = await import("@opentelemetry/exporter-trace-otlp-http");
    processors.push(new sdk.BatchSpanProcessor({ exporter: new OTLPTraceExporter({ url: endpoint }) }));
  }
  const provider = new sdk.TracerProvider({
    resource: resourceFromAttributes({ "service.name": env.OTEL_SERVICE_NAME || "natsbridge-cli" }),
    spanProcessors: processors,
  });
  api.context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  api.propagation.setGlobalPropagator(new W3CTraceContextPropagator());
  api.trace.setGlobalTracerProvider(provider);
  return {
    traceIdOf: (msgId) => traceIds.get(msgId),
    endpoint,
    shutdown: () => provider.shutdown(),
  };
}

/** OTEL_EXPORTER_OTLP_TRACES_ENDPOINT as it is, or OTEL_EXPORTER_OTLP_ENDPOINT + /v1/traces (the OTLP/HTTP convention). */
function tracesEndpoint(env: NodeJS.ProcessEnv): string | undefined {
  if (env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT) return env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT;
  if (env.OTEL_EXPORTER_OTLP_ENDPOINT) return `${env.OTEL_EXPORTER_OTLP_ENDPOINT.replace(/\/+$/, "")}/v1/traces`;
  return undefined;
}
