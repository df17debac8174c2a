// natsbridge send/listen --trace, as built, against a real nats-server and a
// real Jaeger (v1.76, `bash scripts/setup.sh jaeger`): send prints the trace
// id, listen shows the same id for what it receives (it continues the
// sender's trace), and both processes' spans reach Jaeger over OTLP/HTTP.

import { type Jaeger, startJaeger } from "@natsbridge/test-harness";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { jsonLines, runCli, startCli } from "./run-cli.js";

const natsUrl = inject("natsUrl");
let jaeger: Jaeger;
let seq = 0;
const subject = () => `cli.trace.${process.pid}.${++seq}`;

beforeAll(async () => {
  jaeger = await startJaeger();
});
afterAll(async () => {
  await jaeger?.stop();
});

const env = (service: string) => ({
  NATS_URL: natsUrl,
  NATSBRIDGE_STORE: "none",
  OTEL_EXPORTER_OTLP_ENDPOINT: jaeger.otlpHttpUrl,
  OTEL_SERVICE_NAME: service,
});

describe("--trace", () => {
  it("send prints the trace id; listen shows it for the message it receives; Jaeger has both sides", async () => {
    const s = subject();
    const listener = startCli(["listen", s, "-n", "1", "--trace", "-o", "json"], { env: env("cli-listener") });
    await listener.waitFor("listening on");
    const sent = await runCli(["send", s, "--text", "traced", "--trace"], { env: env("cli-sender") });
    expect(sent.code, sent.stderr).toBe(0);
    const traceId = /^ {2}trace ([0-9a-f]{32})$/m.exec(sent.stdout)?.[1];
    expect(traceId, sent.stdout).toBeDefined();

    const got = await listener.done;
    expect(got.code, got.stderr).toBe(0);
    const [report] = jsonLines(got.stdout) as [{ trace_id: string; payloads: { value: unknown }[] }];
    expect(report.payloads[0]!.value).toBe("traced");
    expect(report.trace_id).toBe(traceId);

    const trace = await jaeger.waitForTrace(traceId!, (t) => t.spans.some((x) => x.operationName === `receive ${s}`));
    const services = trace.spans.map((x) => [x.operationName, trace.processes[x.processID]!.serviceName]);
    expect(services).toEqual(
      expect.arrayContaining([
        [`send ${s}`, "cli-sender"],
        ["publish", "cli-sender"],
        [`receive ${s}`, "cli-listener"],
      ]),
    );
  });

  it("send -o json has trace_id; without --trace there is none", async () => {
    const s = subject();
    const traced = jsonLines((await runCli(["send", s, "--text", "x", "--trace", "-o", "json"], { env: env("cli-sender") })).stdout)[0]!;
    expect(traced.trace_id).toMatch(/^[0-9a-f]{32}$/);
    const plain = await runCli(["send", s, "--text", "x", "-o", "json"], { env: env("cli-sender") });
    expect(jsonLines(plain.stdout)[0]).not.toHaveProperty("trace_id");
    const text = await runCli(["send", s, "--text", "x"], { env: env("cli-sender") });
    expect(text.stdout).not.toMatch(/^ +trace /m);
  });
});
