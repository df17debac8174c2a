// The claim-check stores the cluster tests send link payloads through, as a
// table: each test runs once per entry. S3 lives outside NATS (versitygw); the
// JetStream object store lives in the cluster under test, in an R3 bucket, so
// its blobs go through the same failover as the messages.
import { CreateBucketCommand, ListObjectsV2Command, S3Client } from "@aws-sdk/client-s3";
import { jetstream, jetstreamManager } from "@nats-io/jetstream";
import { Objm, StorageType } from "@nats-io/obj";
import { connect } from "@nats-io/transport-node";
import type { ClaimCheckStore } from "@natsbridge/core";
import { objectStore } from "@natsbridge/objstore";
import { s3Store } from "@natsbridge/s3";
import { type NatsCluster, startVersityGw } from "@natsbridge/test-harness";

export interface LinkStoreContext {
  cluster: NatsCluster;
}

export interface RunningLinkStore {
  /** Given to sending and receiving bridges (receivers allow its origins). */
  store: ClaimCheckStore;
  /** How many blobs the store holds now: every link sent, none orphaned. */
  countBlobs(): Promise<number>;
  /** The JetStream stream holding the blobs, when the store lives in the cluster (its leader can be moved and killed). */
  clusterStream?: string;
  stop(): Promise<void>;
}

export interface LinkStoreCase {
  name: string;
  start(context: LinkStoreContext): Promise<RunningLinkStore>;
}

const s3OnVersityGw: LinkStoreCase = {
  name: "s3 (versitygw)",
  async start() {
    const gw = await startVersityGw();
    const bucket = "cluster-tests";
    const keyPrefix = "failover";
    const connection = {
      endpoint: gw.endpoint,
      region: gw.region,
      forcePathStyle: true,
      credentials: { accessKeyId: gw.accessKeyId, secretAccessKey: gw.secretAccessKey },
    };
    const admin = new S3Client(connection);
    try {
      await admin.send(new CreateBucketCommand({ Bucket: bucket }));
    } catch (error) {
      admin.destroy();
      await gw.stop();
      throw error;
    }
    return {
      store: s3Store({ bucket, keyPrefix, ...connection }),
      async countBlobs() {
        let count = 0;
        let token: string | undefined;
        do {
          const page = await admin.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: `${keyPrefix}/`, ContinuationToken: token }));
          count += page.KeyCount ?? 0;
          token = page.NextContinuationToken;
        } while (token);
        return count;
      },
      async stop() {
        admin.destroy();
        await gw.stop();
      },
    };
  },
};

/**
 * The object store in an R3 bucket of the cluster under test. Its bucket's
 * leader is moved to the node the failover test kills, so blob writes and
 * reads are cut too. Two things make it keep the test's promises
 * (@natsbridge/objstore, issue #17):
 * - reads use JetStream Direct Get, which any replica answers: no consumer
 *   per read, nothing waits for the stream's new leader. Reads through an
 *   ordered consumer stalled: a pull sent to a consumer just created on
 *   another node can beat the route's interest in it, the server answers 503
 *   no responders, and the client pulls again only after two missed idle
 *   heartbeats (30 s); after the failover that happened often enough to slow
 *   consumption to 30–200 messages a second (docs/deployment.md);
 * - a put cut by the kill purges the chunks (and the meta message) it wrote,
 *   retrying through the election, so it leaves no orphan.
 */
export const OBJECT_STORE_R3: LinkStoreCase = {
  name: "object store (R3)",
  async start({ cluster }) {
    const bucket = "failover-blobs";
    // Created up front through an admin connection to the whole cluster, R3; the
    // bridges then read and write it through their own connections. The first R3
    // stream of a cluster just started can take longer than the client's default 5 s
    // to be placed on a busy machine (one run of fourteen timed out here).
    const admin = await connect({ servers: cluster.nodes.map((node) => node.url) });
    try {
      await new Objm(jetstream(admin, { timeout: 30_000 })).create(bucket, { replicas: 3, storage: StorageType.File });
    } catch (error) {
      await admin.close();
      throw error;
    }
    const objects = await new Objm(admin).open(bucket);
    const jsm = await jetstreamManager(admin);
    const stream = `OBJ_${bucket}`;
    return {
      store: objectStore({ bucket, replicas: 3 }),
      clusterStream: stream,
      async countBlobs() {
        const listed = await objects.list();
        const live = listed.filter((info) => !info.deleted);
        // Orphans in an object store are chunk messages no object points to (a put
        // cut off after some chunks whose clean-up purge failed too): the stream
        // must hold exactly one meta message per object plus its chunks.
        const expected = live.length + live.reduce((sum, info) => sum + info.chunks, 0);
        const held = (await jsm.streams.info(stream)).state.messages;
        if (held !== expected) {
          throw new Error(`bucket ${bucket}: stream ${stream} holds ${held} messages, its ${live.length} objects account for ${expected}`);
        }
        return live.length;
      },
      async stop() {
        await admin.close();
      },
    };
  },
};

export const LINK_STORES: readonly LinkStoreCase[] = [s3OnVersityGw, OBJECT_STORE_R3];
