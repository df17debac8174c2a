// One trace across two processes, checked in a real Jaeger (v1.76, built by
// `bash scripts/setup.sh jaeger`). A sender process and a receiver process,
// each with the OpenTelemetry Node SDK exporting OTLP/HTTP to that Jaeger,
// exchange two mixed messages (direct text + a binary by link through a real
// nginx) over a real nats-server. Jaeger's HTTP API must then hold, for one
// message, one trace with both processes' spans under the right parents and
// with the messaging attributes; for the other, whose blob nginx refuses with
// 503, an error download span with the code and its retries.
//
// NATSBRIDGE_TRACE_OUT=dir keeps Jaeger's answers as JSON there (the picture in
// docs/observability.md is drawn from them by scripts/trace-waterfall.mjs).
import { spawn } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { type Jaeger, type JaegerSpan, type JaegerTrace, type NginxDav, startJaeger, startNginxDav } from "@natsbridge/test-harness";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";

const natsUrl = inject("natsUrl");
const here = fileURLToPath(new URL(".", import.meta.url));
const tsx = createRequire(import.meta.url).resolve("tsx/cli");
const subject = `test.jaeger.${process.pid}`;
// A first message warms both processes up (connection, modules loaded), so that the traces
// checked (and drawn in docs/observability.md) show messages as they go once running.
const runId = `jaeger-${process.pid}-${Date.now()}`;
const msgIds = [`${runId}-warmup`, `${runId}-ok`, `${runId}-broken`];

let jaeger: Jaeger;
let nginx: NginxDav;
let senderLines: string[];
let receiverLines: string[];

interface Child {
  lines: string[];
  /** Resolves with the first stdout line equal to `line`. */
  waitFor(line: string): Promise<void>;
  exited: Promise<number | null>;
}

/** A test process (tsx, workspace sources), its stdout lines kept; stderr goes into the failure message. */
function run(script: string, env: Record<string, string>): Child {
  const child = spawn(process.execPath, [tsx, "--conditions=source", join(here, "jaeger", script)], {
    cwd: join(here, ".."),
    env: { ...process.env, ...env, OTEL_METRICS_EXPORTER: "none", OTEL_LOGS_EXPORTER: "none" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const lines: string[] = [];
  let stderr = "";
  const waiters: { line: string; resolve: () => void }[] = [];
  let buffered = "";
  child.stdout.on("data", (b: Buffer) => {
    buffered += b.toString();
    const parts = buffered.split("\n");
    buffered = parts.pop()!;
    for (const line of parts.filter(Boolean)) {
      lines.push(line);
      for (const w of waiters.filter((x) => x.line === line)) w.resolve();
    }
  });
  child.stderr.on("data", (b: Buffer) => (stderr += b.toString()));
  const exited = new Promise<number | null>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`${script} did not finish in 60 s\n${stderr}`));
    }, 60_000);
    child.once("exit", (code) => {
      clearTimeout(timer);
      if (code !== 0) reject(new Error(`${script} exited with ${code}\n${stderr}`));
      else resolve(code);
    });
  });
  return {
    lines,
    exited,
    waitFor: (line) =>
      Promise.race([
        new Promise<void>((resolve) => (lines.includes(line) ? resolve() : waiters.push({ line, resolve }))),
        exited.then(() => {
          throw new Error(`${script} exited before printing '${line}'\n${stderr}`);
        }),
      ]),
  };
}

beforeAll(async () => {
  jaeger = await startJaeger();
  // PUT works everywhere; GET under /broken/ always answers 503 (a file server failing its reads).
  nginx = await startNginxDav({
    extraServerConfig: `location /broken/ {
      if ($request_method = GET) { return 503; }
      dav_methods PUT DELETE;
      create_full_put_path on;
    }`,
  });
  const common = { NATS_URL: natsUrl, SUBJECT: subject, OTLP_HTTP_URL: jaeger.otlpHttpUrl };
  const receiver = run("receiver.ts", { ...common, FILESERVER_URL: nginx.url, COUNT: String(msgIds.length) });
  await receiver.waitFor("ready");
  const sender = run("sender.ts", {
    ...common,
    STORE_URLS: `${nginx.url}/blobs,${nginx.url}/blobs,${nginx.url}/broken`,
    // One message at a time: each trace shows its own message, not one queued behind another.
    SEND_GAP_MS: "300",
    MSG_IDS: msgIds.join(","),
  });
  await sender.exited;
  await receiver.exited;
  senderLines = sender.lines;
  receiverLines = receiver.lines;
}, 120_000);

afterAll(async () => {
  await jaeger?.stop();
  await nginx?.dispose();
});

const tag = (span: JaegerSpan, key: string) => span.tags.find((t) => t.key === key)?.value;
const parentId = (span: JaegerSpan) => span.references.find((r) => r.refType === "CHILD_OF")?.spanID;
const serviceOf = (trace: JaegerTrace, span: JaegerSpan) => trace.processes[span.processID]?.serviceName;

/** The trace holding the send span of `msgId`, once the receiver's spans (`expectedSpans` in all) arrived. */
async function traceOf(msgId: string, expectedSpans: number): Promise<JaegerTrace> {
  let traceId: string | undefined;
  const deadline = Date.now() + 20_000;
  while (!traceId) {
    const traces = await jaeger.traces("natsbridge-sender");
    traceId = traces.find((t) => t.spans.some((s) => tag(s, "messaging.message.id") === msgId))?.traceID;
    if (!traceId) {
      if (Date.now() > deadline) throw new Error(`Jaeger has no trace with messaging.message.id=${msgId}`);
      await new Promise((r) => setTimeout(r, 200));
    }
  }
  const trace = await jaeger.waitForTrace(traceId, (t) => t.spans.length >= expectedSpans);
  if (process.env.NATSBRIDGE_TRACE_OUT) {
    mkdirSync(process.env.NATSBRIDGE_TRACE_OUT, { recursive: true });
    writeFileSync(join(process.env.NATSBRIDGE_TRACE_OUT, `${msgId.split("-").pop()}.json`), JSON.stringify({ data: [trace] }, null, 2));
  }
  return trace;
}

describe("traces in Jaeger across a sender and a receiver process", () => {
  it("both processes did their part", () => {
    expect(senderLines.map((l) => JSON.parse(l))).toEqual(msgIds.map((id) => ({ sent: id, transports: ["direct", "link"] })));
    expect(receiverLines.filter((l) => l !== "ready").map((l) => JSON.parse(l))).toEqual([
      { received: msgIds[0], payloads: ["greeting", "blob"] },
      { received: msgIds[1], payloads: ["greeting", "blob"] },
      { error: "DOWNLOAD_FAILED" },
    ]);
  });

  it("a mixed message is one trace: send → upload, publish; receive (other process) → download, verify, decode", async () => {
    // send, upload, publish | receive, download, 2 × verify, 2 × decode: 9 spans
    const trace = await traceOf(msgIds[1]!, 9);
    const spans = trace.spans;
    expect(spans.map((s) => s.operationName).sort()).toEqual(
      ["decode", "decode", "download", "publish", `receive ${subject}`, `send ${subject}`, "upload", "verify", "verify"].sort(),
    );
    const only = (name: string) => spans.filter((s) => s.operationName === name)[0]!;
    const send = only(`send ${subject}`);
    const receive = only(`receive ${subject}`);

    // Sender's spans in the sender's process, receiver's in the receiver's.
    for (const s of spans) {
      expect([s.operationName, serviceOf(trace, s)]).toEqual([
        s.operationName,
        [send, only("upload"), only("publish")].includes(s) ? "natsbridge-sender" : "natsbridge-receiver",
      ]);
    }
    // Parents: send is the root; the receive span continues it from the NATS headers.
    expect(parentId(send)).toBeUndefined();
    expect(parentId(only("upload"))).toBe(send.spanID);
    expect(parentId(only("publish"))).toBe(send.spanID);
    expect(parentId(receive)).toBe(send.spanID);
    for (const s of spans.filter((x) => ["download", "verify", "decode"].includes(x.operationName)))
      expect(parentId(s)).toBe(receive.spanID);

    // Messaging attributes on both sides.
    for (const [span, kind] of [
      [send, "producer"],
      [receive, "consumer"],
    ] as const) {
      expect(tag(span, "span.kind")).toBe(kind);
      expect(tag(span, "messaging.system")).toBe("nats");
      expect(tag(span, "messaging.destination.name")).toBe(subject);
      expect(tag(span, "messaging.message.id")).toBe(msgIds[1]);
      expect(tag(span, "messaging.message.conversation_id")).toBe(`${msgIds[1]}-corr`);
      expect(tag(span, "natsbridge.payload.count")).toBe(2);
      expect(String(tag(span, "natsbridge.payload.transports"))).toMatch(/"direct".*"link"/);
      expect(tag(span, "error")).toBeUndefined();
    }
    expect(tag(only("upload"), "natsbridge.payload.dataname")).toBe("blob");
    expect(tag(only("upload"), "natsbridge.payload.size")).toBe(4096);
    expect(tag(only("download"), "natsbridge.payload.size")).toBe(4096);
    expect(tag(only("download"), "natsbridge.download.attempts")).toBe(1);
    expect(spans.filter((s) => s.operationName === "decode").map((s) => tag(s, "natsbridge.payload.dataname"))).toEqual(
      expect.arrayContaining(["greeting", "blob"]),
    );
    // The receive starts after the publish.
    expect(receive.startTime).toBeGreaterThanOrEqual(only("publish").startTime);
  });

  it("a failing download is an error span with the code, its retries as events", async () => {
    // send, upload, publish | receive, verify + decode of the direct payload, download (failed)
    const trace = await traceOf(msgIds[2]!, 7);
    const download = trace.spans.find((s) => s.operationName === "download")!;
    const receive = trace.spans.find((s) => s.operationName === `receive ${subject}`)!;
    expect(parentId(download)).toBe(receive.spanID);
    expect(tag(download, "error")).toBe(true);
    expect(tag(download, "otel.status_code")).toBe("ERROR");
    expect(tag(download, "error.type")).toBe("DOWNLOAD_FAILED");
    expect(tag(download, "natsbridge.download.attempts")).toBe(3);
    const events = download.logs.map((l) => Object.fromEntries(l.fields.map((f) => [f.key, f.value])));
    expect(events.filter((e) => e.event === "retry").map((e) => [e["natsbridge.retry.attempt"], e["natsbridge.retry.reason"]])).toEqual([
      // The status line and the excerpt of nginx's error page (http-errors.ts).
      [1, "HTTP 503 (503 Service Temporarily Unavailable)"],
      [2, "HTTP 503 (503 Service Temporarily Unavailable)"],
    ]);
    expect(events.filter((e) => e.event === "exception").map((e) => e["exception.type"])).toEqual(["DOWNLOAD_FAILED"]);
    expect(tag(receive, "error")).toBe(true);
    expect(tag(receive, "error.type")).toBe("DOWNLOAD_FAILED");
    expect(
      trace.spans.filter((s) => ["verify", "decode"].includes(s.operationName)).map((s) => tag(s, "natsbridge.payload.dataname")),
    ).toEqual(["greeting", "greeting"]);
  });
});
