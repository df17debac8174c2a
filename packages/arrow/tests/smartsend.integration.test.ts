// arrowtable and table payloads through a real nats-server (started by the
// global setup): natsbridge to natsbridge, natsbridge to the Python reference
// peer (apps/interop-python, pyarrow + pandas), and the peer to natsbridge.

import { type ChildProcessWithoutNullStreams, spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { arrow, arrowCodecs, tableFromRows, tableToRows } from "@natsbridge/arrow";
import { closeSharedConnections, createBridge, type NatsBridge, type ReceivedEnvelope, smartreceive, smartsend } from "@natsbridge/core";
import { findPython } from "@natsbridge/test-harness";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";

const natsUrl = inject("natsUrl");
const PEER_DIR = fileURLToPath(new URL("../../../apps/interop-python/", import.meta.url));
let bridge: NatsBridge;
let seq = 0;
const subject = () => `test.arrow.${process.pid}.${++seq}`;

beforeAll(() => {
  bridge = createBridge({ brokerUrl: natsUrl, codecs: arrowCodecs(), senderName: "natsbridge-arrow-test" });
});
afterAll(async () => {
  await bridge.close();
  await closeSharedConnections();
});

/** Subscribes, runs `send`, and returns the first envelope that arrives (errors fail at once). */
async function receiveOne(s: string, send: () => Promise<unknown>): Promise<ReceivedEnvelope> {
  let fail!: (e: Error) => void;
  const failed = new Promise<never>((_, reject) => (fail = reject));
  const sub = await bridge.subscribe(s, { onError: (e) => fail(e) });
  await (await bridge.connection()).flush();
  await send();
  try {
    return await Promise.race([
      (async () => {
        for await (const env of sub) return env;
        throw new Error("subscription ended");
      })(),
      failed,
      new Promise<never>((_, reject) => setTimeout(() => reject(new Error("no envelope within 15 s")), 15_000)),
    ]);
  } finally {
    sub.unsubscribe();
  }
}

/** Runs the Python reference peer; resolves with its stdout lines once it exits. */
function runPeer(args: string[]): { ready: Promise<void>; done: Promise<string[]>; child: ChildProcessWithoutNullStreams } {
  const child = spawn(findPython(), ["-m", "natsbridge_peer", ...args], { cwd: PEER_DIR });
  let stdout = "";
  let stderr = "";
  let onReady!: () => void;
  const ready = new Promise<void>((resolve) => (onReady = resolve));
  child.stdout.on("data", (b: Buffer) => (stdout += b.toString()));
  child.stderr.on("data", (b: Buffer) => {
    stderr += b.toString();
    if (stderr.includes('"ready": true')) onReady();
  });
  const done = new Promise<string[]>((resolve, reject) => {
    const timer = setTimeout(() => child.kill("SIGKILL"), 30_000);
    child.on("exit", (code) => {
      clearTimeout(timer);
      if (code === 0) resolve(stdout.split("\n").filter(Boolean));
      else reject(new Error(`natsbridge_peer ${args[0]} exited with ${code}:\n${stderr}`));
    });
  });
  return { ready: Promise.race([ready, done.then(() => undefined)]), done, child };
}

const students = [
  { id: 1, name: "Ada", score: 95.5, active: true, joined: new Date("2024-01-02T03:04:05.678Z"), big: 2n ** 62n },
  { id: 2, name: "สมชาย", score: 88.25, active: false, joined: null, big: null },
  { id: 3, name: "李雷 🚀", score: null, active: true, joined: new Date(0), big: -7 },
];

describe("natsbridge → natsbridge over nats-server", () => {
  it("an arrowtable (rows) and a table (apache-arrow Table) arrive as Tables with the same values", async () => {
    const s = subject();
    const env = await receiveOne(s, () =>
      bridge.smartsend(s, [
        ["students", students, "arrowtable"],
        ["scores", tableFromRows(students.map(({ id, score }) => ({ id, score }))), "table"],
        ["note", "tables attached", "text"],
      ]),
    );
    const [first, second, third] = env.payloads;
    expect(first![2]).toBe("arrowtable");
    expect(first![1]).toBeInstanceOf(arrow.Table);
    expect(tableToRows(first![1] as arrow.Table)).toEqual(students.map((r) => ({ ...r, big: r.big === -7 ? -7 : r.big })));
    expect(second![2]).toBe("table");
    expect(tableToRows(second![1] as arrow.Table)).toEqual([
      { id: 1, score: 95.5 },
      { id: 2, score: 88.25 },
      { id: 3, score: null },
    ]);
    expect(third).toEqual(["note", "tables attached", "text"]);
    expect(env.payloadInfo[0]).toMatchObject({ transport: "direct", encoding: "base64" });
  });

  it("top-level smartsend / smartreceive with { codecs: arrowCodecs() } on a raw NATS subscription", async () => {
    const s = subject();
    const nc = await bridge.connection(); // a plain NATS connection: messages arrive undecoded
    const sub = nc.subscribe(s, { max: 1 });
    await nc.flush();
    const codecs = arrowCodecs();
    const columns = { id: new BigInt64Array([1n, 2n ** 62n]), label: ["a", null] };
    await smartsend(
      s,
      [
        ["cols", columns, "table"],
        ["rows", [{ x: 1.5 }], "arrowtable"],
      ],
      { brokerUrl: natsUrl, codecs, flush: true },
    );
    let received = 0;
    for await (const msg of sub) {
      const env = await smartreceive(msg, { codecs });
      expect(env.payloads.map(([name, value, type]) => [name, tableToRows(value as arrow.Table), type])).toEqual([
        [
          "cols",
          [
            { id: 1, label: "a" },
            { id: 2n ** 62n, label: null },
          ],
          "table",
        ],
        ["rows", [{ x: 1.5 }], "arrowtable"],
      ]);
      received++;
    }
    expect(received).toBe(1);
  });

  it("a receiver without arrowCodecs reports MISSING_DEPENDENCY naming @natsbridge/arrow, not garbage", async () => {
    const s = subject();
    const plain = createBridge({ brokerUrl: natsUrl });
    try {
      let gotError!: (e: unknown) => void;
      const error = new Promise((resolve) => (gotError = resolve));
      const sub = await plain.subscribe(s, { onError: (e) => gotError(e) });
      void (async () => {
        for await (const _ of sub); // messages are decoded as the subscription is iterated
      })();
      await (await plain.connection()).flush();
      const [sent] = await bridge.smartsend(s, [["t", students, "arrowtable"]], { flush: true });
      const received = (await error) as Error;
      expect(received).toMatchObject({
        code: "MISSING_DEPENDENCY",
        name: "MissingDependencyError",
        dataname: "t",
        correlationId: sent.correlation_id,
        details: { payloadType: "arrowtable", package: "@natsbridge/arrow" },
      });
      expect(received.message).toContain("createBridge({ codecs: arrowCodecs() })");
      sub.unsubscribe();
    } finally {
      await plain.close();
    }
  });

  it("a sender without arrowCodecs gets MISSING_DEPENDENCY for a table payload and publishes nothing", async () => {
    const s = subject();
    const plain = createBridge({ brokerUrl: natsUrl });
    try {
      const nc = await bridge.connection();
      const raw = nc.subscribe(s);
      await nc.flush();
      const error = await plain.smartsend(s, [["t", students, "table"]], { flush: true }).catch((e: unknown) => e);
      expect(error).toMatchObject({
        code: "MISSING_DEPENDENCY",
        dataname: "t",
        details: { payloadType: "table", package: "@natsbridge/arrow" },
      });
      // A message sent after the failed one is the first the subscriber sees.
      await bridge.smartsend(s, [["after", "x", "text"]], { flush: true });
      const first = await raw[Symbol.asyncIterator]().next();
      expect(new TextDecoder().decode(first.value!.data)).toContain('"dataname":"after"');
      raw.unsubscribe();
    } finally {
      await plain.close();
    }
  });
});

describe("with the Python reference peer (pyarrow + pandas) over nats-server", () => {
  it("Python reads our `table` payload with ipc.open_file(...).read_all().to_pandas()", async () => {
    const s = subject();
    const peer = runPeer(["listen", "--nats", natsUrl, "--subject", s, "--count", "1"]);
    await peer.ready;
    // The peer says "ready" before the server has surely seen its SUB: send until it has one message.
    const rows = students.map(({ id, name, score, active }) => ({ id, name, score, active }));
    let exited = false;
    void peer.done.finally(() => (exited = true)).catch(() => undefined);
    while (!exited) {
      await bridge.smartsend(s, [["students", rows, "table"]], { flush: true });
      await new Promise((r) => setTimeout(r, 250));
    }
    const [line] = await peer.done;
    const receipt = JSON.parse(line!) as {
      ok: boolean;
      error?: string;
      payloads: { dataname: string; payload_type: string; value: unknown }[];
    };
    expect(receipt.error).toBeUndefined();
    expect(receipt.payloads).toEqual([
      {
        dataname: "students",
        payload_type: "table",
        value: {
          columns: ["id", "name", "score", "active"],
          rows: [
            [1, "Ada", 95.5, true],
            [2, "สมชาย", 88.25, false],
            [3, "李雷 🚀", null, true],
          ],
        },
      },
    ]);
  });

  it("we read the DataFrame the Python reference sends as `table`", async () => {
    const s = subject();
    const env = await receiveOne(s, () => runPeer(["send", "--nats", natsUrl, "--subject", s, "--case", "table"]).done);
    const [dataname, table, type] = env.payloads[0]!;
    expect([dataname, type]).toEqual(["students", "table"]);
    expect((table as arrow.Table).schema.metadata.has("pandas")).toBe(true);
    expect(tableToRows(table as arrow.Table)).toEqual([
      { id: 1, name: "Ada", score: 95.5, active: true },
      { id: 2, name: "สมชาย", score: 88.25, active: false },
      { id: 3, name: "李雷 🚀", score: 92.75, active: true },
    ]);
  });
});
