// JetStream from a page and a nats.ws connection handed to the bridge, in
// headless Chromium against the run's nats-server (websocket + JetStream).
// Node checks the other side with nats.js v3: the stream's state after the page
// published, and the envelope the page sent over nats.ws.

import { AckPolicy, jetstreamManager } from "@nats-io/jetstream";
import { connect, headers, type NatsConnection } from "@nats-io/transport-node";
import { createBridge, type NatsBridge } from "@natsbridge/core";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { launchBrowser, openLab, realErrors } from "./browser.js";
import { receiveInNode } from "./node-side.js";
import "./provided.js";

describe("browser lab page", () => {
  let browser: Browser;
  let page: Page;
  let nc: NatsConnection;
  let bridge: NatsBridge;
  let errors: string[];

  beforeAll(async () => {
    browser = await launchBrowser();
    ({ page, errors } = await openLab(browser, inject("pageUrl")));
    nc = await connect({ servers: inject("natsUrl") });
    bridge = createBridge({ brokerUrl: inject("natsUrl") });
  });
  afterAll(async () => {
    await bridge?.close();
    await nc?.drain();
    await browser?.close();
  });

  it("publishes to JetStream from the page (acks, a deduplicated retry) and consumes through a durable consumer", async () => {
    const run = { ws: inject("natsWsUrl"), stream: "LAB_PAGE", consumer: "page", subject: "lab.js", count: 20 };
    // The page creates the stream (ensureStream loads the JetStream client lazily) ...
    const ensured = await page.evaluate((r) => window.lab.ensureStream(r), run);
    expect(ensured).toEqual({ name: "LAB_PAGE", subjects: ["lab.js.>"] });
    // ... Node adds the durable consumer ...
    const jsm = await jetstreamManager(nc);
    await jsm.consumers.add(run.stream, { durable_name: run.consumer, ack_policy: AckPolicy.Explicit });
    // ... the page publishes and consumes.
    const result = await page.evaluate((r) => window.lab.jetstream(r), run);
    expect(result).not.toHaveProperty("error");
    const { acks, received, stats } = result as Exclude<typeof result, { error: string }>;
    expect(acks.map((a) => a.seq)).toEqual([...Array.from({ length: 20 }, (_, i) => i + 1), 1]);
    expect(acks.map((a) => a.duplicate)).toEqual([...Array(20).fill(false), true]);
    expect(received.map((r) => r.n)).toEqual(Array.from({ length: 20 }, (_, i) => String(i)));
    expect(received.every((r) => r.blobOk)).toBe(true);
    expect(stats).toEqual({ acked: 20, duplicates: 0, naked: 0, terminated: 0 });

    // The server agrees: 20 messages stored, all acked by the page's consumer.
    const info = await jsm.streams.info(run.stream);
    expect(info.state.messages).toBe(20);
    const consumer = await jsm.consumers.info(run.stream, run.consumer);
    expect(consumer.num_ack_pending).toBe(0);
    expect(consumer.ack_floor.stream_seq).toBe(20);
    expect(realErrors(errors)).toEqual([]);
  });

  it("sends over a connection the page made with nats.ws, received by Node", async () => {
    const subject = `lab.natsws.${Date.now()}`;
    const next = await receiveInNode(bridge, subject);
    const sent = await page.evaluate((r) => window.lab.natsWs(r), { ws: inject("natsWsUrl"), subject });
    expect(sent).not.toHaveProperty("error");
    const env = await next();
    expect(env.msg_id).toBe((sent as { msgId: string }).msgId);
    expect(env.sender_name).toBe("lab-page-nats.ws");
    const blob = env.payloads.find(([n]) => n === "blob")![1] as Uint8Array;
    expect(env.payloads.find(([n]) => n === "msg")![1]).toBe("sent over nats.ws");
    expect(blob.byteLength).toBe(200_000);
    expect(blob.every((b, i) => b === ((i * 7 + 3) & 255))).toBe(true);
    expect(realErrors(errors)).toEqual([]);
  });

  it("OpenTelemetry in the page: its send puts the trace context in the headers; its receive continues Node's", async () => {
    const subject = `lab.otel.${Date.now()}`;
    const replySubject = `${subject}.reply`;
    const fromPage = nc.subscribe(subject, { max: 1 });
    await nc.flush();
    const running = page.evaluate((r) => window.lab.telemetry(r), { ws: inject("natsWsUrl"), subject, replySubject });
    let traceparent = "";
    for await (const m of fromPage) traceparent = m.headers?.get("traceparent") ?? "";
    // Node answers with a message carrying a trace context of its own making.
    const nodeTrace = "4bf92f3577b34da6a3ce929d0e0e4736";
    const nodeSpan = "00f067aa0ba902b7";
    const [, json] = await bridge.smartsend(replySubject, [["greeting", "traced from Node", "text"]], { isPublish: false });
    const h = headers();
    h.set("traceparent", `00-${nodeTrace}-${nodeSpan}-01`);
    nc.publish(replySubject, new TextEncoder().encode(json), { headers: h });

    const result = await running;
    expect(result).not.toHaveProperty("error");
    const { msgId, receivedText, spans } = result as Exclude<typeof result, { error: string }>;
    expect(receivedText).toBe("traced from Node");
    const send = spans.find((x) => x.name === `send ${subject}`)!;
    expect(send.attributes).toMatchObject({ "messaging.system": "nats", "messaging.message.id": msgId, "natsbridge.payload.count": 1 });
    expect(traceparent).toBe(`00-${send.traceId}-${send.spanId}-01`);
    expect(spans.find((x) => x.name === "publish")?.parentSpanId).toBe(send.spanId);
    const receive = spans.find((x) => x.name === `receive ${replySubject}`)!;
    expect([receive.traceId, receive.parentSpanId]).toEqual([nodeTrace, nodeSpan]);
    expect(spans.filter((x) => x.parentSpanId === receive.spanId).map((x) => x.name)).toEqual(["verify", "decode"]);
    expect(realErrors(errors)).toEqual([]);
  });
});
