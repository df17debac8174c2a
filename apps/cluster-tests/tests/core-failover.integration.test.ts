// Core NATS on a 3-node cluster: a bridge given all three URLs loses the node
// it is connected to (SIGKILL) in the middle of a two-way exchange with a peer
// on another node. It must reconnect to another node on its own, keep the same
// connection and subscriptions, and lose only what docs/reliability.md says
// core mode loses: messages in flight around the reconnection, none after it.
import { createBridge, type NatsBridge } from "@natsbridge/core";
import { type NatsCluster, startNatsCluster } from "@natsbridge/test-harness";
import { afterAll, beforeAll, expect, it } from "vitest";
import { type Flow, measureLoss, startFlow } from "../src/traffic.js";
import { sleep, until } from "../src/wait.js";

/** A message every 2 ms in each direction (about 270 a second each way once timer slack is added). */
const INTERVAL_MS = 2;
/** What the reconnection may cost: messages sent this long before the kill (in the dead node's buffers)... */
const BEFORE_KILL_MS = 100;
/** ...to this long after the reconnect event (the subscription's interest reaching the peer's node). */
const AFTER_RECONNECT_MS = 250;

let cluster: NatsCluster;
const bridges: NatsBridge[] = [];

beforeAll(async () => {
  cluster = await startNatsCluster(3);
});
afterAll(async () => {
  await Promise.allSettled(bridges.map((b) => b.close()));
  await cluster?.stop();
});

it("the node a bridge is connected to is killed: it reconnects to another node and loses only the messages around the reconnection", async () => {
  const bridge = createBridge({ brokerUrl: cluster.brokerUrl });
  bridges.push(bridge);
  const nc = await bridge.connection();
  const doomed = nc.info!.server_name;
  const peerNode = cluster.nodes.find((node) => node.name !== doomed)!;
  const peer = createBridge({ brokerUrl: peerNode.url });
  bridges.push(peer);

  const events: Array<{ type: string; at: number }> = [];
  void (async () => {
    for await (const s of nc.status()) events.push({ type: String(s.type), at: Date.now() });
  })();

  const flows: Flow[] = [
    await startFlow("bridge → peer", bridge, peer, "core.failover.to-peer", INTERVAL_MS),
    await startFlow("peer → bridge", peer, bridge, "core.failover.to-bridge", INTERVAL_MS),
  ];
  await sleep(1000);
  const killAt = Date.now();
  await cluster.kill(doomed);
  await until(
    () => events.some((e) => e.type === "reconnect"),
    15_000,
    () => `a reconnect event (have ${JSON.stringify(events)})`,
  );
  const reconnectAt = events.find((e) => e.type === "reconnect")!.at;
  const disconnectAt = events.find((e) => e.type === "disconnect")?.at;
  await sleep(1500);
  for (const flow of flows) await flow.stopSending();
  await sleep(500); // the last messages in flight
  for (const flow of flows) await flow.stopReceiving();

  const window = { from: -BEFORE_KILL_MS, to: reconnectAt - killAt + AFTER_RECONNECT_MS };
  const losses = flows.map((flow) => measureLoss(flow, killAt, window));
  const gapMs = reconnectAt - killAt;
  const seconds = (Date.now() - flows[0]!.sentAt[0]!) / 1000;
  console.log(
    `core failover: node ${doomed} killed, disconnect seen after ${disconnectAt === undefined ? "?" : disconnectAt - killAt} ms, ` +
      `reconnected to ${nc.info?.server_name} after ${gapMs} ms\n` +
      losses
        .map(
          (l) =>
            `  ${l.flow}: sent ${l.sent} (${Math.round(l.sent / seconds)}/s), lost ${l.lost} (sent between ${l.firstLostAt ?? "-"} and ${l.lastLostAt ?? "-"} ms from the kill), ` +
            `duplicated ${l.duplicated}, out of order ${l.outOfOrder}, smartsend errors ${l.sendErrors}`,
        )
        .join("\n"),
  );

  // The same connection carries on, on another node.
  expect(nc.isClosed()).toBe(false);
  expect(nc.info?.server_name).not.toBe(doomed);
  expect(cluster.node(doomed).alive()).toBe(false);
  // With two other nodes up, reconnecting takes the time to notice the dead socket and dial the next URL.
  expect(gapMs).toBeLessThan(5000);
  for (const loss of losses) {
    // Core NATS is at most once: nothing is ever delivered twice or reordered.
    expect(loss.duplicated).toBe(0);
    expect(loss.outOfOrder).toBe(0);
    // Loss is confined to the reconnection: nothing sent well before the kill, nothing sent once reconnected.
    expect(loss.lostOutside).toBe(0);
    // Traffic kept flowing both ways after the reconnection.
    expect(loss.sent - loss.lost).toBeGreaterThan(loss.sent / 2);
  }
});
