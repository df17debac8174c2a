// Subjects by NATS's rules, refused with INVALID_SUBJECT before anything is
// serialized, uploaded or published.

import type { NatsConnection } from "@nats-io/nats-core";
import { type ClaimCheckStore, NatsBridge } from "@natsbridge/core";
import { describe, expect, it } from "vitest";
import { offlinePlatform } from "./offline-platform.js";

const BAD_FOR_PUBLISHING = ["", "a b", "a\tb", "a\nb", "a\rb", "*", ">", "a.*", "a.>", "foo..bar", ".a", "a.", "."];
const GOOD = ["a", "a.b.c", "/agent/chat", "orders.new-1", "A_b", "a*b.c>d", "名前.✓"];

/** A connection and a store that record what reaches them. */
function recorders() {
  const published: string[] = [];
  const uploaded: string[] = [];
  const nc = {
    info: { max_payload: 1_048_576 },
    isClosed: () => false,
    publish: (subject: string) => void published.push(subject),
    subscribe: () => {
      throw new Error("not here");
    },
  } as unknown as NatsConnection;
  const store: ClaimCheckStore = {
    name: "memory",
    put: async (r) => {
      uploaded.push(r.dataname);
      return { url: `http://files.example/${r.dataname}` };
    },
  };
  return { nc, store, published, uploaded };
}

const bridge = new NatsBridge(offlinePlatform(async () => Promise.reject(new Error("offline"))));

describe("publishing subjects", () => {
  it.each(BAD_FOR_PUBLISHING)("smartsend(%j) is INVALID_SUBJECT, with nothing uploaded or published", async (subject) => {
    const { nc, store, published, uploaded } = recorders();
    await expect(
      bridge.smartsend(subject, [["big", new Uint8Array(10), "binary"]], { connection: nc, store, alwaysLink: true, correlationId: "c-s" }),
    ).rejects.toMatchObject({ code: "INVALID_SUBJECT", correlationId: "c-s", details: { subject } });
    expect({ published, uploaded }).toEqual({ published: [], uploaded: [] });
  });

  it.each(GOOD)("smartsend(%j) publishes", async (subject) => {
    const { nc, published } = recorders();
    await bridge.smartsend(subject, [["t", "hi", "text"]], { connection: nc });
    expect(published).toEqual([subject]);
  });

  it("a reply subject follows the same rules", async () => {
    const { nc, published } = recorders();
    await expect(bridge.smartsend("a", [], { connection: nc, replyTo: "inbox >" })).rejects.toMatchObject({
      code: "INVALID_SUBJECT",
      details: { replyTo: "inbox >" },
    });
    await expect(
      bridge.reply({ reply_to: "x..y", msg_id: "m", correlation_id: "c", sender_name: "", sender_id: "" }, [], { connection: nc }),
    ).rejects.toMatchObject({
      code: "INVALID_SUBJECT",
    });
    expect(published).toEqual([]);
  });

  it("a subject that is not a string is INVALID_SUBJECT too", async () => {
    await expect(bridge.smartsend(undefined as unknown as string, [])).rejects.toMatchObject({ code: "INVALID_SUBJECT" });
  });
});

describe("subscribing subjects", () => {
  const { nc } = recorders();
  it.each(["", "a b", "a..b", ">.a", "a.>.b", "a."])("subscribe(%j) is INVALID_SUBJECT before subscribing", async (subject) => {
    await expect(bridge.subscribe(subject, { connection: nc })).rejects.toMatchObject({ code: "INVALID_SUBJECT" });
  });

  it("a queue group with whitespace is INVALID_SUBJECT", async () => {
    await expect(bridge.subscribe("a.b", { connection: nc, queue: "workers 1" })).rejects.toMatchObject({
      code: "INVALID_SUBJECT",
      details: { queue: "workers 1" },
    });
  });
});
