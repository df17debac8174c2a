// Type tests (vitest typecheck, run with the other tests): the types catch
// the mistakes a newcomer makes. `@ts-expect-error` lines must fail to compile.

import {
  createBridge,
  fileSource,
  type JsonValue,
  type PayloadStream,
  type PayloadTuple,
  type PayloadType,
  type ReceivedEnvelope,
  type ReceivedPayload,
  type SendPayload,
  smartreceive,
  smartsend,
  subscribe,
} from "@natsbridge/core";
import { describe, expectTypeOf, it } from "vitest";

describe("payload types are a closed union", () => {
  it("the references' nine types, nothing else", () => {
    expectTypeOf<PayloadType>().toEqualTypeOf<
      "text" | "dictionary" | "arrowtable" | "jsontable" | "table" | "image" | "audio" | "video" | "binary"
    >();
  });

  it("a typo does not compile", () => {
    // @ts-expect-error "txet" is not a payload type
    void smartsend("a", [["note", "hi", "txet"]]);
    // @ts-expect-error nor is a made-up one
    const t: PayloadTuple = ["x", new Uint8Array(1), "blob"];
    void t;
  });
});

describe("the value follows the payload type when sending", () => {
  it("text takes strings, binary family bytes (and streams), dictionary JSON values", () => {
    void smartsend("a", [
      ["t", "hello", "text"],
      ["d", { theme: "dark", n: [1, 2] }, "dictionary"],
      ["b", new Uint8Array(3), "binary"],
      ["i", new ArrayBuffer(3), "image"],
      ["f", fileSource("clip.mp4"), "video"],
      ["r", [{ a: 1 }], "jsontable"],
    ]);
    // @ts-expect-error text is a string
    void smartsend("a", [["t", 42, "text"]]);
    // @ts-expect-error binary is bytes, not a string
    void smartsend("a", [["b", "not bytes", "binary"]]);
    // @ts-expect-error a file streams only as a binary-family payload
    void smartsend("a", [["f", fileSource("notes.txt"), "text"]]);
    // @ts-expect-error undefined is not JSON
    void smartsend("a", [["d", undefined, "dictionary"]]);
    // @ts-expect-error jsontable is a list of rows
    void smartsend("a", [["r", { a: 1 }, "jsontable"]]);
  });

  it("a tuple of one type is PayloadTuple<T>", () => {
    expectTypeOf<PayloadTuple<"text">>().toEqualTypeOf<[dataname: string, data: string, payloadType: "text"]>();
    expectTypeOf<PayloadTuple>().toMatchTypeOf<SendPayload>();
  });
});

describe("the value follows the payload type when receiving", () => {
  it("received tuples are a union discriminated by the payload type", async () => {
    const env = await smartreceive(new Uint8Array());
    expectTypeOf(env).toEqualTypeOf<ReceivedEnvelope>();
    for (const [name, value, type] of env.payloads) {
      expectTypeOf(name).toBeString();
      if (type === "text") expectTypeOf(value).toEqualTypeOf<string>();
      if (type === "dictionary") expectTypeOf(value).toEqualTypeOf<JsonValue>();
      if (type === "binary" || type === "image" || type === "audio" || type === "video") expectTypeOf(value).toEqualTypeOf<Uint8Array>();
      if (type === "jsontable") expectTypeOf(value).toEqualTypeOf<{ [key: string]: unknown }[]>();
    }
    const first = env.payloads[0]!;
    if (first[2] === "text") expectTypeOf(first[1]).toEqualTypeOf<string>();
  });

  it("with `stream`, link payloads may be PayloadStreams, and the types say so", async () => {
    const env = await smartreceive(new Uint8Array(), { stream: true });
    expectTypeOf(env).toEqualTypeOf<ReceivedEnvelope<PayloadStream>>();
    const [, value, type] = env.payloads[0]!;
    if (type === "binary") expectTypeOf(value).toEqualTypeOf<Uint8Array | PayloadStream>();
    const sub = await subscribe("a.>", { stream: true });
    for await (const e of sub) expectTypeOf(e).toEqualTypeOf<ReceivedEnvelope<PayloadStream>>();
    const plain = await createBridge().subscribe("a.>");
    for await (const e of plain) expectTypeOf(e.payloads).toEqualTypeOf<ReceivedPayload[]>();
  });
});

describe("ReceivedEnvelope has no open index signature", () => {
  it("a misspelt field does not compile; unknown wire fields are under extraFields", async () => {
    const env = await smartreceive("{}");
    // @ts-expect-error the field is msg_id
    void env.msgId;
    expectTypeOf(env.extraFields).toEqualTypeOf<{ [key: string]: unknown }>();
    expectTypeOf(env.msg_id).toBeString();
    expectTypeOf(env.subject).toEqualTypeOf<string | undefined>();
    expectTypeOf(env.headers?.get("Nats-Msg-Id")).toEqualTypeOf<string | undefined>();
  });
});
