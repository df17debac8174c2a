// The MicroPython peer as the conformance suite runs it: the Node host around
// the VM, spawned, over a real nats-server (global setup). natsbridge reads
// what MicroPython sends, and MicroPython reads what natsbridge sends.

import { type ChildProcess, spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { connect, type NatsConnection } from "@nats-io/transport-node";
import { createBridge, type NatsBridge, type ReceivedEnvelope } from "@natsbridge/core";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";

const APP_DIR = fileURLToPath(new URL("../", import.meta.url));
const PREFIX = `mp.test.${process.pid}`;
const json = (data: Uint8Array) => JSON.parse(new TextDecoder().decode(data));
const encode = (value: unknown) => new TextEncoder().encode(JSON.stringify(value));

let peer: ChildProcess;
let nc: NatsConnection;
let bridge: NatsBridge;
let output = "";

beforeAll(async () => {
  const natsUrl = inject("natsUrl");
  peer = spawn(process.execPath, ["--import", "tsx", "src/cli.ts", "--nats", natsUrl, "--prefix", PREFIX], {
    cwd: APP_DIR,
    stdio: ["ignore", "pipe", "pipe"],
  });
  peer.stdout!.on("data", (b) => (output += b));
  peer.stderr!.on("data", (b) => (output += b));
  nc = await connect({ servers: natsUrl });
  bridge = createBridge({ brokerUrl: natsUrl });
  const deadline = Date.now() + 30_000;
  while (!output.includes('"ready":true')) {
    if (Date.now() > deadline || peer.exitCode !== null) throw new Error(`the MicroPython peer did not start:\n${output}`);
    await new Promise((r) => setTimeout(r, 100));
  }
});
afterAll(async () => {
  if (peer && peer.exitCode === null) {
    await nc.request(`${PREFIX}.stop`, new Uint8Array(), { timeout: 2000 }).catch(() => undefined);
    await new Promise((r) => (peer.exitCode === null ? peer.once("exit", r) : r(undefined)));
  }
  await bridge?.close();
  await nc?.drain();
});

describe("the MicroPython peer over NATS", () => {
  it("answers hello from the VM", async () => {
    const caps = json((await nc.request(`${PREFIX}.hello`, new Uint8Array(), { timeout: 5000 })).data);
    expect(caps).toMatchObject({
      name: "micropython",
      transports: ["direct"],
      implementation: expect.stringMatching(/MicroPython v1\.27/),
    });
  });

  it("MicroPython → natsbridge: the multi case, every payload decoded", async () => {
    const sub = await bridge.subscribe("mp.test.out");
    await (await bridge.connection()).flush();
    const reply = json(
      (await nc.request(`${PREFIX}.send`, encode({ case: "multi", subject: "mp.test.out", transport: "direct" }), { timeout: 5000 })).data,
    );
    expect(reply).toMatchObject({ ok: true, msg_id: expect.stringMatching(/^mp-/) });
    const env = (await sub[Symbol.asyncIterator]().next()).value as ReceivedEnvelope;
    sub.unsubscribe();
    expect(env.msg_id).toBe(reply.msg_id);
    expect(env.payloads.map((p) => [p[0], p[2]])).toEqual([
      ["msg", "text"],
      ["settings", "dictionary"],
      ["avatar", "image"],
      ["raw", "binary"],
    ]);
    expect(env.payloads[0]![1]).toBe("Hello! I'm Ton. สวัสดี 👋");
    expect(env.payloads[1]![1]).toEqual({ lang: "th", units: { temp: "C" } });
    expect((env.payloads[3]![1] as Uint8Array).byteLength).toBe(257);
  });

  it("natsbridge → MicroPython: a receipt with what the VM decoded", async () => {
    const receipts = nc.subscribe(`${PREFIX}.receipts`, { max: 1 });
    await nc.flush();
    await bridge.smartsend(
      `${PREFIX}.in.t1`,
      [
        ["note", "สวัสดี 🚀", "text"],
        ["blob", new Uint8Array([1, 2, 3]), "binary"],
      ],
      { flush: true },
    );
    const receipt = json((await receipts[Symbol.asyncIterator]().next()).value!.data);
    expect(receipt).toMatchObject({
      ok: true,
      subject: `${PREFIX}.in.t1`,
      payloads: [
        { dataname: "note", payload_type: "text", value: "สวัสดี 🚀" },
        {
          dataname: "blob",
          payload_type: "binary",
          value: { length: 3, sha256: "039058c6f2c0cb492c533b0a4d14ef77cc0f78abccced5287d84a1a2011cfb81" },
        },
      ],
    });
  });
});
