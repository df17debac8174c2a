// The JavaScript reference's envelope code, as the reference's implementation.md
// describes it (written from that description, for the benchmark's middle
// column): smartsend builds the whole envelope as an object with fresh
// crypto.randomUUID()s for the ids it defaults (correlation_id, msg_id,
// sender_id, and each payload's id), base64 through Buffer, one
// JSON.stringify, and publishes the string; smartreceive is JSON.parse of the
// message text, then Buffer.from(data, "base64"), then the binary codec's
// Buffer.from copy. No checksum, no validation, no size check against
// max_payload: the reference has none.
import { randomUUID } from "node:crypto";
import type { Msg, NatsConnection } from "@nats-io/nats-core";

export async function referenceSend(nc: NatsConnection, subject: string, dataname: string, bytes: Uint8Array): Promise<string> {
  const correlation_id = randomUUID();
  const payloadBytes = await serializeBinary(bytes);
  const payloads = [
    {
      id: randomUUID(),
      dataname,
      payload_type: "binary",
      transport: "direct",
      encoding: "base64",
      size: payloadBytes.byteLength,
      data: payloadBytes.toString("base64"),
      metadata: { payload_bytes: payloadBytes.byteLength },
    },
  ];
  const env = {
    correlation_id,
    msg_id: randomUUID(),
    timestamp: new Date().toISOString(),
    send_to: subject,
    msg_purpose: "chat",
    sender_name: "NATSBridge",
    sender_id: randomUUID(),
    receiver_name: "",
    receiver_id: "",
    reply_to: "",
    reply_to_msg_id: "",
    broker_url: "nats://localhost:4222",
    metadata: {},
    payloads,
  };
  const json = JSON.stringify(env);
  await publishMessage(nc, subject, json);
  return json;
}

// The reference's serializeData and publishMessage are async functions: one
// await each, kept so the reference path has the promise hops it really has.
async function serializeBinary(bytes: Uint8Array): Promise<Buffer> {
  return Buffer.from(bytes); // serializeData("binary") copies
}

async function publishMessage(nc: NatsConnection, subject: string, json: string): Promise<void> {
  nc.publish(subject, json);
}

interface ReferencePayload {
  dataname: string;
  payload_type: string;
  transport: string;
  data: string;
}

/** The payloads of a received envelope as [dataname, Buffer, payload_type]. */
export async function referenceReceive(msg: Msg): Promise<[string, Buffer, string][]> {
  const env = JSON.parse(msg.string()) as { payloads: ReferencePayload[] };
  const out: [string, Buffer, string][] = [];
  for (const p of env.payloads) {
    const bytes = Buffer.from(p.data, "base64");
    out.push([p.dataname, await deserializeBinary(bytes), p.payload_type]);
  }
  return out;
}

async function deserializeBinary(bytes: Buffer): Promise<Buffer> {
  return Buffer.from(bytes); // deserializeData("binary") copies
}
