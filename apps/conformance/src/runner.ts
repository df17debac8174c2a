// Runs planned cells over a real nats-server, one at a time: the consumer
// listens first, the producer sends (TS smartsend, a peer's P.send, or a
// fixture published as-is), and the consumer's decoded payloads are compared
// with what the case (or the fixture's expected.json) says they must be.

import type { NatsConnection } from "@nats-io/transport-node";
import type { ClaimCheckStore, NatsBridge } from "@natsbridge/core";
import { isNatsBridgeError, type ReceivedEnvelope } from "@natsbridge/envelope";
import { canonicalPayloads, comparePayloads, type TableToRows } from "./canonical.js";
import { type CaseSpec, caseTuples, type DecodedPayload, expectedPayloads } from "./cases.js";
import { materialize } from "./fixtures.js";
import type { Peer } from "./peer.js";
import { type CellPlan, type CellStatus, type Consumer, type Producer, type Row, rowLabel } from "./plan.js";

export interface CellResult {
  row: string;
  label: string;
  producer: string;
  consumer: string;
  status: CellStatus;
  reason: string;
  ms?: number;
}

export interface RunContext {
  nc: NatsConnection;
  bridge: NatsBridge;
  peers: Map<string, Peer>;
  cases: Map<string, CaseSpec>;
  /** Origin of the fixture blob server. */
  fixtureOrigin: string;
  /** Where natsbridge's live link payloads go: core's httpStore on the plain HTTP PUT file server. */
  store: ClaimCheckStore;
  /** The Plik row's store (plikStore) and the URL peers upload to, when the run has a Plik server. */
  plik?: { store: ClaimCheckStore; url: string };
  toRows?: TableToRows;
  runId: string;
  timeoutMs: number;
}

function describe(error: unknown): string {
  if (isNatsBridgeError(error)) return `${error.code}: ${error.message}`;
  return (error as Error)?.message ?? String(error);
}

let cellSeq = 0;

export async function runCell(row: Row, producer: Producer, consumer: Consumer, plan: CellPlan, ctx: RunContext): Promise<CellResult> {
  const base = { row: row.key, label: rowLabel(row), producer: producer.id, consumer: consumer.id };
  if (!plan.run) return { ...base, status: plan.status, reason: plan.reason };
  const started = Date.now();
  const done = (status: CellStatus, reason: string): CellResult => ({ ...base, status, reason, ms: Date.now() - started });
  const spec = ctx.cases.get(row.case)!;
  const expected: DecodedPayload[] = plan.fixture?.expected ?? expectedPayloads(spec);
  const cell = `${ctx.runId}.${++cellSeq}`;

  if (plan.expectSendRefusal) {
    // Nobody needs to listen: the producer must refuse before it publishes anything.
    const sent = await send(row, producer, plan, ctx, `conformance.refused.${cell}`);
    if (sent.ok) return done("fail", `${producer.id} sent it although ${plan.expectSendRefusal}`);
    if (plan.sendRefusalError && !plan.sendRefusalError.test(sent.error ?? "")) {
      return done("fail", `${producer.id} refused with ${sent.error}, expected ${plan.sendRefusalError} (${plan.expectSendRefusal})`);
    }
    return done("refused", `${plan.expectSendRefusal} (${producer.id} refused: ${sent.error})`);
  }

  // 1. The consumer listens.
  let decoded: Promise<{ ok: true; payloads: DecodedPayload[]; transports?: string[] } | { ok: false; error: string }>;
  let subject: string;
  let cleanup = () => {};
  if (consumer.kind === "ts") {
    subject = `conformance.${cell}`;
    let fail!: (e: string) => void;
    const failed = new Promise<{ ok: false; error: string }>((resolve) => (fail = (error) => resolve({ ok: false, error })));
    const sub = await ctx.bridge.subscribe(subject, { onError: (e) => fail(describe(e)) });
    cleanup = () => sub.unsubscribe();
    const first = (async () => {
      for await (const env of sub) return env;
      return undefined;
    })().then((env: ReceivedEnvelope | undefined) =>
      env
        ? {
            ok: true as const,
            payloads: canonicalPayloads(env.payloads, ctx.toRows),
            transports: env.payloadInfo.map((p) => String(p.transport)),
          }
        : { ok: false as const, error: "subscription closed before any envelope" },
    );
    const timeout = new Promise<{ ok: false; error: string }>((resolve) =>
      setTimeout(() => resolve({ ok: false, error: `nothing received within ${ctx.timeoutMs} ms` }), ctx.timeoutMs).unref(),
    );
    decoded = Promise.race([first, failed, timeout]);
    await ctx.nc.flush();
    await (await ctx.bridge.connection()).flush();
  } else if (consumer.kind === "peer") {
    const peer = ctx.peers.get(consumer.id)!;
    subject = peer.inbox(cell);
    decoded = peer
      .receipt(subject, ctx.timeoutMs)
      .then((r) => (r.ok ? { ok: true as const, payloads: r.payloads ?? [] } : { ok: false as const, error: r.error ?? "failed receipt" }));
  } else {
    return done("unavailable", consumer.reason);
  }

  try {
    // 2. The producer sends.
    const sent = await send(row, producer, plan, ctx, subject);
    if (!sent.ok) return done("fail", `${producer.id} could not send: ${sent.error}`);

    // 3. What the consumer decoded, against what it should be.
    const got = await decoded;
    if (!got.ok) {
      if (plan.expectReject && plan.rejectError && !plan.rejectError.test(got.error)) {
        return done("fail", `${consumer.id} rejected it with ${got.error}, expected ${plan.rejectError} (${plan.expectReject})`);
      }
      if (plan.expectReject) return done("refused", `${plan.expectReject} (${consumer.id} rejected it: ${got.error})`);
      return done("fail", `${consumer.id} could not receive: ${got.error}`);
    }
    if (plan.expectReject) return done("fail", `${consumer.id} accepted it although ${plan.expectReject}`);
    const transport = row.transport === "direct" ? "direct" : "link";
    if (got.transports) {
      const wrong = got.transports.findIndex((t) => t !== transport);
      if (wrong >= 0) return done("fail", `payload ${wrong} travelled by ${got.transports[wrong]}, expected ${transport}`);
    }
    const difference = comparePayloads(expected, got.payloads);
    if (plan.known) {
      if (!difference) return done("pass", `the known difference did not show: ${plan.known.reason}`);
      const misread = expected.map((p) => ({ ...p, value: plan.known!.misread(p.value) }));
      const unexplained = comparePayloads(misread, got.payloads);
      return unexplained
        ? done("fail", `${difference} (not the known difference: ${unexplained})`)
        : done("known-issue", plan.known.reason);
    }
    if (difference) return done("fail", difference);
    return done("pass", "");
  } finally {
    cleanup();
  }
}

/** The producer sends the row's case to `subject`: TS smartsend, a peer's P.send, or a fixture published as it is. */
async function send(
  row: Row,
  producer: Producer,
  plan: Extract<CellPlan, { run: true }>,
  ctx: RunContext,
  subject: string,
): Promise<{ ok: boolean; error?: string }> {
  const spec = ctx.cases.get(row.case)!;
  const transport = row.transport === "direct" ? "direct" : "link";
  const plik = row.transport === "link-plik" ? ctx.plik : undefined;
  if (row.transport === "link-plik" && !plik) return { ok: false, error: "the run has no Plik server" };
  try {
    if (producer.kind === "ts") {
      await ctx.bridge.smartsend(subject, caseTuples(spec), {
        alwaysLink: transport === "link",
        store: plik?.store ?? ctx.store,
        flush: true,
      });
      return { ok: true };
    }
    if (producer.kind === "peer") {
      const request = {
        case: row.case,
        transport,
        subject,
        upload: plik ? "plik" : "http-put",
        ...(plik ? { fileserver_url: plik.url } : {}),
      } as const;
      const sent = await ctx.peers.get(producer.id)!.send(request, ctx.timeoutMs);
      return sent.ok ? { ok: true } : { ok: false, error: sent.error ?? "no reason given" };
    }
    ctx.nc.publish(subject, new TextEncoder().encode(materialize(plan.fixture!.envelopeText.trim(), ctx.fixtureOrigin)));
    await ctx.nc.flush();
    return { ok: true };
  } catch (error) {
    return { ok: false, error: describe(error) };
  }
}
