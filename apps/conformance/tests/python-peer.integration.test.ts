// The Python reference peer, live over a real nats-server and a real HTTP PUT
// file server (nginx WebDAV): natsbridge → Python and Python → natsbridge for
// every case, direct and by link.

import { join } from "node:path";
import { connect, type NatsConnection } from "@nats-io/transport-node";
import { arrowCodecs, tableToRows } from "@natsbridge/arrow";
import { createBridge, httpStore, type NatsBridge } from "@natsbridge/core";
import { findPython, type NginxDav, REPO_ROOT, startNginxDav } from "@natsbridge/test-harness";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { loadCases } from "../src/cases.js";
import { type Peer, startPeer } from "../src/peer.js";
import { type Consumer, type Producer, planCell, type Row } from "../src/plan.js";
import { type RunContext, runCell } from "../src/runner.js";

const natsUrl = inject("natsUrl");
const cases = loadCases();
let dav: NginxDav;
let nc: NatsConnection;
let bridge: NatsBridge;
let peer: Peer;
let ctx: RunContext;
const prefix = `test.peer.${process.pid}`;

beforeAll(async () => {
  dav = await startNginxDav();
  nc = await connect({ servers: natsUrl });
  bridge = createBridge({ brokerUrl: natsUrl, codecs: arrowCodecs(), allowedOrigins: [dav.url] });
  peer = await startPeer(
    { name: "python-reference", command: [findPython(), "-m", "natsbridge_peer", "serve"], cwd: join(REPO_ROOT, "apps", "interop-python") },
    nc,
    { natsUrl, prefix, fileserverUrl: dav.url },
  );
  ctx = {
    nc,
    bridge,
    peers: new Map([[peer.name, peer]]),
    cases,
    fixtureOrigin: "http://127.0.0.1:9", // no fixtures in this suite
    store: httpStore({ baseUrl: dav.url }),
    toRows: tableToRows as never,
    runId: `t${process.pid}`,
    timeoutMs: 20_000,
  };
});
afterAll(async () => {
  await peer?.stop();
  await bridge?.close();
  await nc?.drain();
  await dav?.dispose();
});

const ts: Producer & Consumer = { id: "ts", kind: "ts" };
const py = () => ({ id: peer.name, kind: "peer" as const, caps: peer.caps });
// The types the Python reference does not define; every other type must pass.
const NOT_IN_PYTHON = new Set(["arrowtable", "jsontable"]);
const rows: Row[] = [...cases.values()].flatMap((c) =>
  (["direct", "link"] as const).map((transport) => ({ key: `${c.name}.${transport}`, case: c.name, transport })),
);

describe("the Python reference peer", () => {
  it("announces the Python reference's types and both transports", () => {
    expect(peer.caps).toMatchObject({ name: "python-reference", transports: ["direct", "link"] });
    expect(peer.caps.produces).toEqual(["text", "dictionary", "table", "image", "audio", "video", "binary"]);
  });

  describe.each([
    ["natsbridge → Python", () => [ts, py()] as const],
    ["Python → natsbridge", () => [py(), ts] as const],
  ])("%s", (_name, pair) => {
    it.each(rows.map((r) => [r.key, r] as const))("%s", async (_key, row) => {
      const [producer, consumer] = pair();
      const result = await runCell(
        row,
        producer,
        consumer,
        planCell(row, producer, consumer, { cases, fixtures: [], arrowAvailable: true }),
        ctx,
      );
      const types = cases.get(row.case)!.payloads.map((p) => p.payload_type);
      if (types.some((t) => NOT_IN_PYTHON.has(t))) {
        // Python cannot send these (not run), and rejects them when they come (run, the rejection checked).
        expect(result.status, result.reason).toBe(producer === ts ? "refused" : "n/a");
        expect(result.reason).toMatch(/single type 'table'/);
        if (producer === ts) expect(result.reason).toMatch(/ValueError: Unknown payload_type/);
      } else {
        expect(result.status, result.reason).toBe("pass");
      }
    });
  });

  it("answers a malformed envelope with a failed receipt and keeps serving", async () => {
    const bad = peer.inbox("malformed");
    const pending = peer.receipt(bad, 10_000);
    nc.publish(bad, new TextEncoder().encode("{not json"));
    const receipt = await pending;
    expect(receipt.ok).toBe(false);
    expect(receipt.error).toMatch(/JSONDecodeError/);

    const good = peer.inbox("after-malformed");
    const next = peer.receipt(good, 10_000);
    await bridge.smartsend(good, [["m", "still here", "text"]], { flush: true });
    expect(await next).toMatchObject({ ok: true, payloads: [{ dataname: "m", payload_type: "text", value: "still here" }] });
  });

  it("fails the send (publishing nothing) when the file server does not speak Plik's upload API", async () => {
    const sent = await peer.send({ case: "binary", transport: "link", subject: peer.inbox("plik"), upload: "plik" }, 20_000);
    expect(sent.ok).toBe(false);
  });
});
