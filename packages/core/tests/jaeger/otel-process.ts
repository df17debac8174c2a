// What both test processes share: the OpenTelemetry Node SDK, exporting spans
// over OTLP/HTTP (batched) to the Jaeger the test started, as an application
// would set it up (docs/observability.md). Metrics and logs are off: Jaeger
// stores traces only.
import { OTLPTraceExporter } from "@opentelemetry/exporter-trace-otlp-http";
import { NodeSDK } from "@opentelemetry/sdk-node";

export function startTracing(serviceName: string): NodeSDK {
  const sdk = new NodeSDK({
    serviceName,
    traceExporter: new OTLPTraceExporter({ url: `${required("OTLP_HTTP_URL")}/v1/traces` }),
    instrumentations: [],
  });
  sdk.start();
  return sdk;
}

export function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set`);
  return value;
}
