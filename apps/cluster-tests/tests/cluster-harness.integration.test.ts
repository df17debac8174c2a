// startNatsCluster itself: three routed nodes with JetStream, each its own
// process; killing the meta leader's node (by PID) elects another; the node
// restarts on the same ports and store and rejoins; an R3 stream has a
// replica on every node; stop() leaves no process behind.

import { existsSync } from "node:fs";
import { jetstreamManager } from "@nats-io/jetstream";
import { connect } from "@nats-io/transport-node";
import { type NatsCluster, startNatsCluster } from "@natsbridge/test-harness";
import { afterAll, beforeAll, expect, it } from "vitest";
import { until } from "../src/wait.js";

let cluster: NatsCluster;

beforeAll(async () => {
  cluster = await startNatsCluster(3);
});
afterAll(async () => {
  await cluster?.stop();
});

/** Whether a process with this PID exists (signal 0 checks without signalling). */
function running(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

it("starts n1..n3 as separate processes, each answering the JetStream API on its own", async () => {
  expect(cluster.nodes.map((n) => n.name)).toEqual(["n1", "n2", "n3"]);
  const pids = cluster.nodes.map((n) => n.pid()!);
  expect(new Set(pids).size).toBe(3);
  expect(cluster.brokerUrl.split(",")).toEqual(cluster.nodes.map((n) => n.url));
  for (const node of cluster.nodes) {
    const nc = await connect({ servers: node.url });
    try {
      expect(nc.info?.server_name).toBe(node.name);
      expect(nc.info?.cluster).toBe("natsbridge");
      const info = await (await jetstreamManager(nc)).getAccountInfo();
      expect(info.streams).toBe(0);
    } finally {
      await nc.close();
    }
  }
});

it("kills the meta leader's node by PID: another node is elected; the node restarts on its ports and rejoins", async () => {
  const leader = await cluster.metaLeader();
  const pid = cluster.node(leader).pid()!;
  await cluster.kill(leader);
  expect(running(pid)).toBe(false);
  expect(cluster.node(leader).pid()).toBeUndefined();
  const next = await cluster.metaLeader();
  expect(next).not.toBe(leader);

  await cluster.restart(leader);
  await cluster.healthy();
  expect(cluster.node(leader).pid()).not.toBe(pid);
  // metaLeader() waits until every node that is up, the restarted one included, names the same leader.
  expect(await cluster.metaLeader()).toMatch(/^n[123]$/);
});

it("places an R3 stream on every node and reports its leader and replicas", async () => {
  const nc = await connect({ servers: cluster.brokerUrl.split(",") });
  try {
    const jsm = await jetstreamManager(nc);
    const created = await jsm.streams.add({ name: "HARNESS", subjects: ["harness.>"], num_replicas: 3 });
    const js = (await import("@nats-io/jetstream")).jetstream(nc);
    for (let i = 0; i < 5; i++) await js.publish("harness.x", new Uint8Array([i]));
    const leader = await cluster.streamLeader("HARNESS");
    expect(created.cluster?.replicas?.length).toBe(2);
    expect([created.cluster?.leader, ...(await jsm.streams.info("HARNESS")).cluster!.replicas!.map((r) => r.name)]).toContain(leader);
    expect((await jsm.streams.info("HARNESS")).cluster?.leader).toBe(leader);
    let replicas = await cluster.streamReplicas("HARNESS");
    await until(
      async () => {
        replicas = await cluster.streamReplicas("HARNESS");
        return replicas.every((r) => r.messages === 5);
      },
      10_000,
      () => JSON.stringify(replicas),
    );
    expect(replicas.map((r) => r.node).sort()).toEqual(["n1", "n2", "n3"]);
  } finally {
    await nc.close();
  }
});

it("stop() ends every node's process and removes the directory", async () => {
  const other = await startNatsCluster(3);
  const pids = other.nodes.map((n) => n.pid()!);
  expect(pids.every(running)).toBe(true);
  await other.stop();
  expect(pids.some(running)).toBe(false);
  expect(existsSync(other.dir)).toBe(false);
});
