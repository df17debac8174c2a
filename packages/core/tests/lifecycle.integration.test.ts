// Blob lifecycle against real nats-server and nginx: nothing is orphaned when
// publishing fails after the uploads; delete-after-consume is off by default,
// deletes only the store's own blobs, is refused on a plain subscription
// (fan-out) and works in a queue group; the fan-out caveat, shown.
import { existsSync } from "node:fs";
import { connect, type NatsConnection } from "@nats-io/transport-node";
import {
  type ClaimCheckStore,
  createBridge,
  deleteConsumed,
  httpStore,
  type NatsBridge,
  type ReceivedEnvelope,
  type WirePayload,
} from "@natsbridge/core";
import { pattern } from "@natsbridge/core/testing";
import { type NginxDav, startNginxDav } from "@natsbridge/test-harness";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { spyStore } from "./spy-store.js";

const natsUrl = inject("natsUrl");
let nginx: NginxDav;
let store: ClaimCheckStore;
let bridge: NatsBridge;
let seq = 0;
const subject = () => `test.lifecycle.${process.pid}.${++seq}`;

beforeAll(async () => {
  nginx = await startNginxDav();
  store = httpStore({ baseUrl: `${nginx.url}/blobs` });
  bridge = createBridge({ brokerUrl: natsUrl, fileserverUrl: nginx.url, store });
});
afterAll(async () => {
  await bridge?.close();
  await nginx?.dispose();
});

const linkUrls = (env: { payloads: WirePayload[] } | ReceivedEnvelope) =>
  ("payloadInfo" in env ? env.payloadInfo : env.payloads).filter((p) => p.transport === "link").map((p) => p.data as string);
const stored = (url: string) => existsSync(nginx.pathFor(url));

describe("nothing orphaned when publishing fails", () => {
  it("core NATS: the connection is closed at publish time → PUBLISH_FAILED, and both uploaded blobs are deleted", async () => {
    const closed: NatsConnection = await connect({ servers: natsUrl });
    await closed.close();
    const spy = spyStore(store, "spy");
    await expect(
      bridge.smartsend(
        subject(),
        [
          ["a", pattern(600_000), "binary"],
          ["b", pattern(700_000), "binary"],
        ],
        { store: spy, connection: closed },
      ),
    ).rejects.toMatchObject({ code: "PUBLISH_FAILED" });
    expect(spy.urls).toHaveLength(2);
    for (const url of spy.urls) expect(stored(url), url).toBe(false);
  });
});

describe("delete-after-consume", () => {
  const send = async (s: string) =>
    bridge.smartsend(s, [
      ["a", pattern(600_000), "binary"],
      ["b", pattern(600_001), "binary"],
      ["t", "small", "text"],
    ]);

  it("is off by default: receiving leaves the blobs", async () => {
    const [, json] = await bridge.smartsend("unused", [["a", pattern(600_000), "binary"]], { isPublish: false });
    const env = await bridge.smartreceive(json);
    expect(linkUrls(env).every(stored)).toBe(true);
  });

  it("deleteConsumed removes the store's link blobs and never touches another origin", async () => {
    const [, json] = await bridge.smartsend(
      "unused",
      [
        ["a", pattern(600_000), "binary"],
        ["b", pattern(600_001), "binary"],
      ],
      { isPublish: false },
    );
    const env = await bridge.smartreceive(json);
    // A link to another server, as a hostile or confused sender might put in.
    const foreign = { ...env.payloadInfo[0]!, data: "http://other.example/blobs/x" };
    const result = await deleteConsumed(store, { payloadInfo: [...env.payloadInfo, foreign] });
    expect(result.deleted.sort()).toEqual(linkUrls(env).sort());
    expect(result.skipped).toEqual(["http://other.example/blobs/x"]);
    expect(result.failed).toEqual([]);
    expect(linkUrls(env).some(stored)).toBe(false);
  });

  it("is refused on a plain subscription, where other subscribers may still need the blobs", async () => {
    await expect(bridge.subscribe(subject(), { deleteAfterConsume: store })).rejects.toMatchObject({ code: "INVALID_OPTION" });
  });

  it("in a queue group (two members), every message is handled once and its blobs are deleted after the loop body", async () => {
    const s = subject();
    const members = [
      createBridge({ brokerUrl: natsUrl, fileserverUrl: nginx.url }),
      createBridge({ brokerUrl: natsUrl, fileserverUrl: nginx.url }),
    ];
    const handled: string[][] = [];
    const stillThereWhileHandling: boolean[] = [];
    const subs = await Promise.all(members.map((m) => m.subscribe(s, { queue: "workers", deleteAfterConsume: store })));
    const loops = subs.map(async (sub) => {
      for await (const env of sub) {
        stillThereWhileHandling.push(linkUrls(env).every(stored));
        handled.push(linkUrls(env));
      }
    });
    for (const m of members) await (await m.connection()).flush();
    const sent = [];
    for (let i = 0; i < 6; i++) sent.push((await send(s))[0]);
    const end = Date.now() + 10_000;
    while (handled.length < 6 && Date.now() < end) await new Promise((r) => setTimeout(r, 20));
    // Deletion happens when the next message is asked for; unsubscribing ends the loops.
    for (const sub of subs) await sub.drain();
    await Promise.all(loops);
    for (const m of members) await m.close();

    expect(handled).toHaveLength(6);
    expect(stillThereWhileHandling.every(Boolean)).toBe(true);
    const all = sent.flatMap((env) => linkUrls(env));
    expect(all).toHaveLength(12);
    expect(all.filter(stored)).toEqual([]);
  });

  it("the fan-out caveat: when one of two plain subscribers deletes, the other cannot download", async () => {
    const s = subject();
    const [first, second] = [
      createBridge({ brokerUrl: natsUrl, fileserverUrl: nginx.url }),
      createBridge({ brokerUrl: natsUrl, fileserverUrl: nginx.url }),
    ];
    const subA = await first!.subscribe(s);
    const errors: string[] = [];
    const subB = await second!.subscribe(s, { onError: (e) => void errors.push(e.code), maxRetries: 2, baseDelay: 10 });
    for (const b of [first!, second!]) await (await b.connection()).flush();
    // The first subscriber deletes right away (by hand, as a misconfigured app would); the second is slower.
    const firstDone = (async () => {
      for await (const env of subA) {
        await deleteConsumed(store, env);
        break;
      }
    })();
    await send(s);
    await firstDone;
    const secondIter = subB[Symbol.asyncIterator]();
    const race = await Promise.race([secondIter.next().then(() => "received"), new Promise((r) => setTimeout(() => r("nothing"), 1500))]);
    await first!.close();
    await second!.close();
    // Either the second got there first, or (usually) it found the blob gone: 404, not retried.
    if (race !== "received") expect(errors).toEqual(["DOWNLOAD_FAILED"]);
  });
});
