// The 3-node cluster of docs/deployment.md: the config startNatsCluster writes,
// rendered for three machines instead of three loopback ports. A test checks
// that the page shows exactly this.
import { type ClusterNodeSpec, clusterNodeConfig } from "@natsbridge/test-harness";

export const EXAMPLE_NODES: readonly ClusterNodeSpec[] = [1, 2, 3].map((i) => ({
  name: `n${i}`,
  host: `nats-${i}.internal`,
  clientPort: 4222,
  clusterPort: 6222,
  monitorPort: 8222,
  storeDir: "/var/lib/nats/jetstream",
}));

/** The config file of node `n<i>` (1-based). */
export function exampleConfig(i: number): string {
  return clusterNodeConfig(EXAMPLE_NODES[i - 1]!, EXAMPLE_NODES, { host: "0.0.0.0" });
}
