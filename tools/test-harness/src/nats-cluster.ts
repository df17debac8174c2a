// A real NATS cluster for one test run: n nats-server processes on loopback,
// joined by cluster routes, each with JetStream on its own store directory and
// an HTTP monitoring port. A node can be killed (SIGKILL, by its PID) and
// started again on the same ports and store, as a crashed machine would come
// back. Leaders are read from the monitoring endpoint (/jsz), so the harness
// needs no NATS client of its own.

import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { findNatsServer } from "./nats-server.js";
import { freePort } from "./ports.js";
import { type ManagedProcess, startProcess, waitUntilListening } from "./process.js";

/** What one node's config file is made of (see `clusterNodeConfig`). */
export interface ClusterNodeSpec {
  /** server_name, also the name leaders are reported by. */
  name: string;
  /** The address the other nodes route to. Default: the listen host (`ClusterConfigOptions.host`). */
  host?: string;
  clientPort: number;
  clusterPort: number;
  monitorPort: number;
  storeDir: string;
}

export interface ClusterConfigOptions {
  /** Cluster name. Default "natsbridge". */
  clusterName?: string;
  /** Host every port listens on. Default 127.0.0.1 (tests stay on loopback; a deployment listens on 0.0.0.0). */
  host?: string;
  /** Extra lines for every node's config (max_payload, auth...). */
  extraConfig?: string;
}

/**
 * The config file of one node of a cluster: client, route and monitoring
 * listeners, JetStream on its own store, and a route to every node (its own
 * included: the server skips it, and one list serves every node).
 */
export function clusterNodeConfig(node: ClusterNodeSpec, all: readonly ClusterNodeSpec[], options: ClusterConfigOptions = {}): string {
  const host = options.host ?? "127.0.0.1";
  return [
    `server_name: ${node.name}`,
    `listen: "${host}:${node.clientPort}"`,
    `http: "${host}:${node.monitorPort}"`,
    ``,
    `jetstream {`,
    `  store_dir: "${node.storeDir}"`,
    `}`,
    ``,
    `cluster {`,
    `  name: ${options.clusterName ?? "natsbridge"}`,
    `  listen: "${host}:${node.clusterPort}"`,
    `  routes: [`,
    ...all.map((n) => `    "nats-route://${n.host ?? host}:${n.clusterPort}"`),
    `  ]`,
    `}`,
    ...(options.extraConfig ? ["", options.extraConfig] : []),
    ``,
  ].join("\n");
}

export interface NatsClusterNode {
  readonly name: string;
  /** nats://127.0.0.1:<clientPort> */
  readonly url: string;
  readonly clientPort: number;
  readonly clusterPort: number;
  /** http://127.0.0.1:<monitorPort> */
  readonly monitorUrl: string;
  readonly configFile: string;
  /** The PID of the running process, undefined while the node is down. */
  pid(): number | undefined;
  alive(): boolean;
  /** Its last output lines, for error messages. */
  output(): string;
}

export interface NatsCluster {
  readonly nodes: readonly NatsClusterNode[];
  /** Every node's client URL, comma-separated: a bridge's `brokerUrl` for the whole cluster. */
  readonly brokerUrl: string;
  /** The temp directory holding every node's config and store. */
  readonly dir: string;
  node(name: string): NatsClusterNode;
  /** Kill a node by its PID (SIGKILL by default: no goodbye to clients or peers). */
  kill(name: string, signal?: NodeJS.Signals): Promise<void>;
  /** Start a stopped node again on the same ports, config and store; resolves when its client port accepts. */
  restart(name: string): Promise<void>;
  /** The meta leader's name, once one is elected and known to every node that is up. */
  metaLeader(timeoutMs?: number): Promise<string>;
  /** Resolves once every node that is up answers 200 on /healthz (JetStream current, its streams caught up). */
  healthy(timeoutMs?: number): Promise<void>;
  /** The name of the node leading a stream's replicas (asks the nodes that are up). */
  streamLeader(stream: string, options?: LeaderQuery): Promise<string>;
  /** The name of the node leading a durable consumer's replicas. */
  consumerLeader(stream: string, consumer: string, options?: LeaderQuery): Promise<string>;
  /** What each node that is up holds of a stream: its replica's message count and last sequence. */
  streamReplicas(stream: string, options?: { account?: string }): Promise<StreamReplica[]>;
  /** Stop every node by its PID and remove the directory. */
  stop(): Promise<void>;
}

export interface LeaderQuery {
  /** Default "$G", the account of a server without accounts. */
  account?: string;
  /** Default 30 s. */
  timeoutMs?: number;
  /** Wait for a leader other than this node (e.g. the one just killed). */
  exclude?: string;
}

export interface StreamReplica {
  node: string;
  messages: number;
  lastSeq: number;
  /** The leader as this node sees it ("" while there is none). */
  leader: string;
}

export interface NatsClusterOptions extends ClusterConfigOptions {
  /** How long to wait for the JetStream meta leader at start. Default 30 s. */
  readyTimeoutMs?: number;
}

/** Start `n` routed nats-server nodes (n1..nN) and wait until JetStream has a meta leader and every node is healthy. */
export async function startNatsCluster(n = 3, options: NatsClusterOptions = {}): Promise<NatsCluster> {
  const bin = findNatsServer();
  const dir = mkdtempSync(join(tmpdir(), "natsbridge-cluster-"));
  const specs: ClusterNodeSpec[] = [];
  for (let i = 1; i <= n; i++) {
    const name = `n${i}`;
    mkdirSync(join(dir, name));
    specs.push({
      name,
      clientPort: await freePort(),
      clusterPort: await freePort(),
      monitorPort: await freePort(),
      storeDir: join(dir, name, "js"),
    });
  }
  const nodes = specs.map((spec) => {
    const configFile = join(dir, spec.name, "nats.conf");
    writeFileSync(configFile, clusterNodeConfig(spec, specs, options));
    return new ClusterNode(bin, spec, configFile);
  });

  /** The leader a node that is up reports for an asset of `stream`, if that leader is up too (and not `exclude`). */
  const leaderOf = (what: string, stream: string, pick: (detail: StreamDetail) => string | undefined, o: LeaderQuery) =>
    poll(o.timeoutMs ?? 30_000, `a leader for ${what}`, async () => {
      const up = nodes.filter((node) => node.alive());
      for (const node of up) {
        const detail = await node.streamDetail(stream, o.account).catch(() => undefined);
        const leader = detail && pick(detail);
        if (leader && leader !== o.exclude && up.some((x) => x.name === leader)) return leader;
      }
      return undefined;
    });

  const cluster: NatsCluster = {
    nodes,
    brokerUrl: nodes.map((node) => node.url).join(","),
    dir,
    node: (name) => {
      const found = nodes.find((node) => node.name === name);
      if (!found) throw new Error(`no node named ${name} (have ${nodes.map((x) => x.name).join(", ")})`);
      return found;
    },
    kill: (name, signal = "SIGKILL") => (cluster.node(name) as ClusterNode).kill(signal),
    restart: (name) => (cluster.node(name) as ClusterNode).start(),
    metaLeader: (timeoutMs = 30_000) =>
      poll(timeoutMs, "a JetStream meta leader", async () => {
        const up = nodes.filter((node) => node.alive());
        const seen = await Promise.all(
          up.map((node) =>
            node.jsz("").then(
              (j) => j.meta_cluster?.leader ?? "",
              () => "",
            ),
          ),
        );
        const leader = seen[0];
        return leader && seen.every((s) => s === leader) && up.some((node) => node.name === leader) ? leader : undefined;
      }),
    healthy: (timeoutMs = 30_000) =>
      poll(timeoutMs, "every node healthy (/healthz)", async () => {
        const up = nodes.filter((node) => node.alive());
        const ok = await Promise.all(up.map((node) => node.healthz()));
        return ok.every(Boolean) ? true : undefined;
      }).then(() => undefined),
    streamLeader: (stream, o = {}) => leaderOf(`stream ${stream}`, stream, (d) => d.cluster?.leader, o),
    consumerLeader: (stream, consumer, o = {}) =>
      leaderOf(`consumer ${stream}/${consumer}`, stream, (d) => d.consumer_detail?.find((c) => c.name === consumer)?.cluster?.leader, o),
    streamReplicas: async (stream, o = {}) => {
      const up = nodes.filter((node) => node.alive());
      const details = await Promise.all(up.map((node) => node.streamDetail(stream, o.account).catch(() => undefined)));
      return up.flatMap((node, i) => {
        const detail = details[i];
        if (!detail) return [];
        return [
          {
            node: node.name,
            messages: detail.state?.messages ?? 0,
            lastSeq: detail.state?.last_seq ?? 0,
            leader: detail.cluster?.leader ?? "",
          },
        ];
      });
    },
    stop: async () => {
      // Closed first, so that a restart still in flight (a test that failed midway) cannot start a node again.
      await Promise.all(nodes.map((node) => node.close()));
      rmSync(dir, { recursive: true, force: true });
    },
  };
  try {
    await Promise.all(nodes.map((node) => node.start()));
    await cluster.metaLeader(options.readyTimeoutMs ?? 30_000);
    await cluster.healthy(options.readyTimeoutMs ?? 30_000);
  } catch (error) {
    const logs = nodes.map((node) => `--- ${node.name}\n${node.output()}`).join("\n");
    await cluster.stop();
    throw new Error(`NATS cluster did not start: ${(error as Error).message}\n${logs}`);
  }
  return cluster;
}

/** The part of /jsz this harness reads. */
interface Jsz {
  meta_cluster?: { leader?: string };
  account_details?: Array<{ name: string; id?: string; stream_detail?: StreamDetail[] }>;
}

interface StreamDetail {
  name: string;
  cluster?: { leader?: string };
  state?: { messages?: number; last_seq?: number };
  consumer_detail?: Array<{ name: string; cluster?: { leader?: string } }>;
}

class ClusterNode implements NatsClusterNode {
  readonly name: string;
  readonly url: string;
  readonly clientPort: number;
  readonly clusterPort: number;
  readonly monitorUrl: string;
  readonly #monitorPort: number;
  #proc: ManagedProcess | undefined;
  #closed = false;

  constructor(
    readonly bin: string,
    spec: ClusterNodeSpec,
    readonly configFile: string,
  ) {
    this.name = spec.name;
    this.clientPort = spec.clientPort;
    this.clusterPort = spec.clusterPort;
    this.#monitorPort = spec.monitorPort;
    this.url = `nats://127.0.0.1:${spec.clientPort}`;
    this.monitorUrl = `http://127.0.0.1:${spec.monitorPort}`;
  }

  pid = () => (this.alive() ? this.#proc?.child.pid : undefined);
  alive = () => this.#proc?.alive() ?? false;
  output = () => this.#proc?.output() ?? "";

  async start(): Promise<void> {
    if (this.#closed) throw new Error(`node ${this.name}: the cluster was stopped`);
    if (this.alive()) throw new Error(`node ${this.name} is already running (pid ${this.pid()})`);
    const proc = startProcess(this.bin, ["-c", this.configFile]);
    this.#proc = proc;
    await waitUntilListening(proc, `nats-server ${this.name}`, [this.clientPort, this.#monitorPort]);
  }

  /** ManagedProcess.stop signals the child's PID and waits for it to exit. */
  async kill(signal: NodeJS.Signals): Promise<void> {
    await this.#proc?.stop(signal);
  }

  /** Stop for good: no start() after this. */
  async close(): Promise<void> {
    this.#closed = true;
    await this.#proc?.stop("SIGTERM");
  }

  async jsz(query: string): Promise<Jsz> {
    const res = await fetch(`${this.monitorUrl}/jsz${query}`, { signal: AbortSignal.timeout(2000) });
    if (!res.ok) throw new Error(`${this.name} /jsz: HTTP ${res.status}`);
    return (await res.json()) as Jsz;
  }

  async healthz(): Promise<boolean> {
    const res = await fetch(`${this.monitorUrl}/healthz`, { signal: AbortSignal.timeout(2000) }).catch(() => undefined);
    await res?.body?.cancel();
    return res?.status === 200;
  }

  /** This node's replica of a stream, or undefined when it holds none. */
  async streamDetail(stream: string, account = "$G"): Promise<StreamDetail | undefined> {
    const jsz = await this.jsz(`?accounts=true&streams=true&consumers=true&acc=${encodeURIComponent(account)}`);
    return jsz.account_details?.find((a) => a.name === account || a.id === account)?.stream_detail?.find((s) => s.name === stream);
  }
}

async function poll<T>(timeoutMs: number, what: string, probe: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
