// BENCH_OTEL=sdk: the cost of natsbridge's OpenTelemetry spans and metrics
// with an SDK registered, as an application would run it: a tracer provider
// with a batch span processor, W3C propagation, AsyncLocalStorage context, and
// a meter provider. Spans go to BENCH_OTLP_URL over OTLP/HTTP when it is set,
// else to an exporter that drops them (the in-process cost only). Called in
// the sending thread and in each receiver worker (every thread has its own
// OpenTelemetry globals).
import { context, metrics, propagation, trace } from "@opentelemetry/api";
import { AsyncLocalStorageContextManager } from "@opentelemetry/context-async-hooks";
import { ExportResultCode, W3CTraceContextPropagator } from "@opentelemetry/core";
import { MeterProvider, MetricReader } from "@opentelemetry/sdk-metrics";
import { BatchSpanProcessor, type SpanExporter, TracerProvider } from "@opentelemetry/sdk-trace";

/** Collected only when asked (never, here): the instruments still aggregate every measurement. */
class IdleReader extends MetricReader {
  protected async onForceFlush(): Promise<void> {}
  protected async onShutdown(): Promise<void> {}
}

const dropping: SpanExporter = {
  export: (_spans, done) => done({ code: ExportResultCode.SUCCESS }),
  shutdown: async () => {},
};

export async function startBenchTelemetry(): Promise<() => Promise<void>> {
  let exporter = dropping;
  if (process.env.BENCH_OTLP_URL) {
    const { OTLPTraceExporter } = await import("@opentelemetry/exporter-trace-otlp-http");
    exporter = new OTLPTraceExporter({ url: `${process.env.BENCH_OTLP_URL}/v1/traces` });
  }
  const tracerProvider = new TracerProvider({ spanProcessors: [new BatchSpanProcessor({ exporter })] });
  const meterProvider = new MeterProvider({ readers: [new IdleReader()] });
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  propagation.setGlobalPropagator(new W3CTraceContextPropagator());
  trace.setGlobalTracerProvider(tracerProvider);
  metrics.setGlobalMeterProvider(meterProvider);
  return async () => {
    await tracerProvider.shutdown();
    await meterProvider.shutdown();
  };
}
