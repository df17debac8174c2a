// A real Jaeger (v1.76, the OpenTelemetry-collector-based "Jaeger v2") as the
// tracing backend of the observability tests. Its built-in defaults listen on
// fixed ports (4317, 4318, 16686, 8888 and more), so it runs with a config of
// our own: only the OTLP/HTTP receiver and the query API, each on a free
// loopback port, in-memory storage, no self-metrics endpoint. Stopped by PID.

import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { findBinary } from "./binaries.js";
import { freePort } from "./ports.js";
import { startProcess, waitUntilListening } from "./process.js";

export const JAEGER_VERSION = "1.76.0";
export const JAEGER_INSTALL_HINT =
  `Build it with \`bash scripts/setup.sh jaeger\` (go build of github.com/jaegertracing/jaeger/cmd/jaeger@v${JAEGER_VERSION} ` +
  "through the tools module in tools/jaeger, into .tools/bin), or set JAEGER_BIN.";

/** A span as Jaeger's HTTP API (/api/traces) returns it. */
export interface JaegerSpan {
  traceID: string;
  spanID: string;
  operationName: string;
  references: { refType: "CHILD_OF" | "FOLLOWS_FROM"; traceID: string; spanID: string }[];
  /** Microseconds since the epoch. */
  startTime: number;
  /** Microseconds. */
  duration: number;
  tags: { key: string; type: string; value: unknown }[];
  logs: { timestamp: number; fields: { key: string; type: string; value: unknown }[] }[];
  processID: string;
}

export interface JaegerTrace {
  traceID: string;
  spans: JaegerSpan[];
  processes: Record<string, { serviceName: string; tags: { key: string; value: unknown }[] }>;
}

export interface Jaeger {
  /** Where OTLP/HTTP exporters send traces: `${otlpHttpUrl}/v1/traces`. */
  otlpHttpUrl: string;
  /** The query API's origin (Jaeger's HTTP API under /api). */
  queryUrl: string;
  /** One trace by id, or undefined while Jaeger does not have it. */
  trace(traceId: string): Promise<JaegerTrace | undefined>;
  /** The traces of a service (most recent first), as /api/traces?service= returns them. */
  traces(service: string, limit?: number): Promise<JaegerTrace[]>;
  /** Polls until `ready(trace)` holds (e.g. both processes' spans arrived); rejects after `timeoutMs`. */
  waitForTrace(traceId: string, ready: (trace: JaegerTrace) => boolean, timeoutMs?: number): Promise<JaegerTrace>;
  stop(): Promise<void>;
}

export async function startJaeger(): Promise<Jaeger> {
  const bin = findBinary(`jaeger-${JAEGER_VERSION}`, "JAEGER_BIN", JAEGER_INSTALL_HINT);
  const dir = mkdtempSync(join(tmpdir(), "natsbridge-jaeger-"));
  const [otlpPort, queryPort, queryGrpcPort] = [await freePort(), await freePort(), await freePort()];
  const config = `
service:
  extensions: [jaeger_storage, jaeger_query]
  pipelines:
    traces:
      receivers: [otlp]
      processors: []
      exporters: [jaeger_storage_exporter]
  telemetry:
    metrics:
      level: none
    logs:
      level: warn
extensions:
  jaeger_storage:
    backends:
      memstore:
        memory:
          max_traces: 10000
  jaeger_query:
    storage:
      traces: memstore
    http:
      endpoint: 127.0.0.1:${queryPort}
    grpc:
      endpoint: 127.0.0.1:${queryGrpcPort}
receivers:
  otlp:
    protocols:
      http:
        endpoint: 127.0.0.1:${otlpPort}
exporters:
  jaeger_storage_exporter:
    trace_storage: memstore
`;
  const configFile = join(dir, "jaeger.yaml");
  writeFileSync(configFile, config);
  const proc = startProcess(bin, ["--config", configFile]);
  try {
    // Jaeger v2 opens its ports one after the other; both must be up.
    await waitUntilListening(proc, "jaeger", [otlpPort, queryPort], 30_000);
  } catch (e) {
    rmSync(dir, { recursive: true, force: true });
    throw e;
  }
  const queryUrl = `http://127.0.0.1:${queryPort}`;

  const getJson = async (path: string): Promise<{ data: JaegerTrace[] | null; errors: unknown } | undefined> => {
    const res = await fetch(`${queryUrl}${path}`);
    if (res.status === 404) return undefined;
    if (!res.ok) throw new Error(`Jaeger ${path}: HTTP ${res.status} ${await res.text()}`);
    return (await res.json()) as { data: JaegerTrace[] | null; errors: unknown };
  };
  const trace = async (traceId: string) => (await getJson(`/api/traces/${traceId}`))?.data?.[0];

  return {
    otlpHttpUrl: `http://127.0.0.1:${otlpPort}`,
    queryUrl,
    trace,
    traces: async (service, limit = 20) =>
      (await getJson(`/api/traces?service=${encodeURIComponent(service)}&limit=${limit}&lookback=1h`))?.data ?? [],
    async waitForTrace(traceId, ready, timeoutMs = 20_000) {
      const deadline = Date.now() + timeoutMs;
      let last: JaegerTrace | undefined;
      for (;;) {
        last = await trace(traceId);
        if (last && ready(last)) return last;
        if (Date.now() > deadline) {
          const seen = last ? last.spans.map((s) => s.operationName).join(", ") : "no trace";
          throw new Error(`Jaeger has no complete trace ${traceId} after ${timeoutMs} ms (seen: ${seen})`);
        }
        await new Promise((r) => setTimeout(r, 200));
      }
    },
    stop: async () => {
      await proc.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
