// Replicated blobs: a 50 MB payload goes by link into an R3 object-store
// bucket through a bridge connected to the bucket's stream leader; that node
// is killed (SIGKILL); a receiver connected to another node still downloads
// the blob and its sha256 matches what was sent. The node is then started
// again and the bucket is healthy: three replicas holding every chunk, and the
// blob readable through the restarted node.
//
// Which node "served the upload": in JetStream the stream's leader is the one
// that stores each chunk, orders it and replicates it to the followers; the
// node the uploader is connected to only routes its publishes there. The
// uploader is put on the leader, so the node killed is both: the one the blob
// was written through and the one that stored it first. Surviving that needs
// the followers' copies and a new leader to serve the read.
//
// NATSBRIDGE_BLOB_MB sets the size (default 50).

import { Objm, StorageType } from "@nats-io/obj";
import type { Msg, NatsConnection } from "@nats-io/transport-node";
import { connect } from "@nats-io/transport-node";
import { createBridge, type NatsBridge } from "@natsbridge/core";
import { objectStore } from "@natsbridge/objstore";
import { type NatsCluster, type StreamReplica, startNatsCluster } from "@natsbridge/test-harness";
import { afterAll, beforeAll, expect, it } from "vitest";
import { payloadBytes, sha256Hex } from "../src/payloads.js";
import { until } from "../src/wait.js";

const BLOB_BYTES = Number(process.env.NATSBRIDGE_BLOB_MB ?? 50) * 1_000_000;
const BUCKET = "replicated";
const STREAM = `OBJ_${BUCKET}`;
/** Receiver retries: enough to span a leader election (about 2–7 s here). */
const RECEIVE = { maxRetries: 10, baseDelay: 250, maxDelay: 2000 };

let cluster: NatsCluster;
let admin: NatsConnection;
const bridges: NatsBridge[] = [];

beforeAll(async () => {
  cluster = await startNatsCluster(3);
  admin = await connect({ servers: cluster.nodes.map((node) => node.url) });
});
afterAll(async () => {
  await Promise.allSettled(bridges.map((b) => b.close()));
  await admin?.close();
  await cluster?.stop();
});

/** The next message on `subject` through `nc`, taken raw: nothing downloaded yet. */
async function nextMessage(nc: NatsConnection, subject: string): Promise<{ ready: Promise<void>; message: Promise<Msg> }> {
  const sub = nc.subscribe(subject, { max: 1 });
  const message = (async () => {
    for await (const m of sub) return m;
    throw new Error(`subscription on ${subject} ended without a message`);
  })();
  return { ready: nc.flush(), message };
}

it(`a ${BLOB_BYTES / 1e6} MB blob in an R3 bucket survives the loss of the node that stored it`, async () => {
  await new Objm(admin).create(BUCKET, { replicas: 3, storage: StorageType.File });
  const leader = await cluster.streamLeader(STREAM);
  const others = cluster.nodes.filter((node) => node.name !== leader);
  const store = objectStore({ bucket: BUCKET, replicas: 3 });

  const sender = createBridge({ brokerUrl: cluster.node(leader).url, store });
  const receiver = createBridge({ brokerUrl: others.map((n) => n.url).join(","), connectOptions: { noRandomize: true }, stores: [store] });
  bridges.push(sender, receiver);
  expect((await sender.connection()).info?.server_name).toBe(leader);
  const receiverConnection = await receiver.connection();
  const receiverNode = receiverConnection.info?.server_name;
  expect(receiverNode).not.toBe(leader);

  const blob = payloadBytes(17, BLOB_BYTES);
  const sentSha = sha256Hex(blob);
  const { ready, message } = await nextMessage(receiverConnection as unknown as NatsConnection, "blobs.replicated");
  await ready;
  const uploadStarted = Date.now();
  await sender.smartsend("blobs.replicated", [["model", blob, "binary"]]);
  const uploadMs = Date.now() - uploadStarted;
  const msg = await message;

  // Every replica holds the whole blob before the kill: R3 acks once a majority
  // has a chunk, so the third copy may trail by a moment.
  let before: StreamReplica[] = [];
  await until(
    async () => {
      before = await cluster.streamReplicas(STREAM);
      return before.length === 3 && before.every((r) => r.messages === before[0]!.messages && r.messages > 1);
    },
    30_000,
    () => `3 equal replicas of ${STREAM} (have ${JSON.stringify(before)})`,
  );
  const chunkMessages = before[0]!.messages;

  const killedAt = Date.now();
  await cluster.kill(leader);
  // Downloaded at once, through another node, while the bucket elects a new leader.
  const received = await receiver.smartreceive(msg, RECEIVE);
  const downloadMs = Date.now() - killedAt;
  const bytes = received.payloads[0]![1] as Uint8Array;
  expect(received.payloadInfo[0]!.transport).toBe("link");
  expect(received.payloadInfo[0]!.data).toMatch(new RegExp(`^nats-obj://${BUCKET}/`));
  expect(bytes.byteLength).toBe(BLOB_BYTES);
  expect(sha256Hex(bytes)).toBe(sentSha);
  const newLeader = await cluster.streamLeader(STREAM, { exclude: leader });

  // The node comes back: it catches up, the cluster is healthy, and the blob reads through it too.
  const restartedAt = Date.now();
  await cluster.restart(leader);
  await cluster.healthy(60_000);
  let after: StreamReplica[] = [];
  await until(
    async () => {
      after = await cluster.streamReplicas(STREAM);
      return after.length === 3 && after.every((r) => r.messages === chunkMessages && r.leader !== "");
    },
    60_000,
    () => `3 replicas of ${chunkMessages} messages in ${STREAM} (have ${JSON.stringify(after)})`,
  );
  const healthyMs = Date.now() - restartedAt;
  const objects = await new Objm(admin).open(BUCKET);
  const status = await objects.status();
  expect(status.replicas).toBe(3);
  expect(status.sealed).toBe(false);
  // One object, whole: its meta message and every chunk, nothing else in the stream.
  const listed = await objects.list();
  expect(listed.map((o) => ({ size: o.size, deleted: o.deleted }))).toEqual([{ size: BLOB_BYTES, deleted: false }]);
  expect(listed[0]!.chunks + 1).toBe(chunkMessages);
  const throughRestarted = createBridge({ brokerUrl: cluster.node(leader).url, stores: [store] });
  bridges.push(throughRestarted);
  expect((await throughRestarted.connection()).info?.server_name).toBe(leader);
  const again = await throughRestarted.smartreceive(msg, RECEIVE);
  expect(sha256Hex(again.payloads[0]![1] as Uint8Array)).toBe(sentSha);

  console.log(
    `replicated blob (${process.env.NATS_SERVER_BIN ?? "nats-server"}): ${BLOB_BYTES / 1e6} MB into R3 bucket ${BUCKET} in ${uploadMs} ms ` +
      `through ${leader}, the bucket's stream leader (${chunkMessages} messages: chunks + meta, on all 3 replicas); ${leader} killed; ` +
      `receiver on ${receiverNode} downloaded and verified it ${downloadMs} ms after the kill (new leader ${newLeader}); ` +
      `${leader} restarted, healthy with ${chunkMessages} messages on every replica after ${healthyMs} ms, blob read and verified through it`,
  );
});
