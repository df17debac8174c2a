// The claim-check stores the cluster tests send link payloads through, as a
// table: each test runs once per entry. S3 lives outside NATS (versitygw); the
// JetStream object store lives in the cluster under test, in an R3 bucket, so
// its blobs go through the same failover as the messages.
import { CreateBucketCommand, ListObjectsV2Command, S3Client } from "@aws-sdk/client-s3";
import { jetstreamManager } from "@nats-io/jetstream";
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
 * The object store in an R3 bucket of the cluster under test. Not in
 * LINK_STORES yet: with its bucket's leader killed mid-run, the failover run
 * does not keep its promises (10 runs, 1 passed). Consumption slows to
 * 30–200 messages a second after the failover (843–9,996 of 10,000 delivered
 * 90 s after the last send; every read creates a consumer on the R3 bucket's
 * stream), and slow batches outlive ack_wait (redeliveries, absorbed by the
 * msg_id guard). And a put cut
 * by the kill can leave an orphaned chunk (its clean-up purge fails too): 2 of
 * the runs. (Reads used to leave their consumer on the bucket's stream for
 * 5 minutes, until the server refused more; fixed in @natsbridge/objstore.)
 * Enabling it is the one line below; see issue #17 and docs/deployment.md.
 */
export const OBJECT_STORE_R3: LinkStoreCase = {
  name: "object store (R3)",
  async start({ cluster }) {
    const bucket = "failover-blobs";
    // Created up front through an admin connection to the whole cluster, R3; the
    // bridges then read and write it through their own connections.
    const admin = await connect({ servers: cluster.nodes.map((node) => node.url) });
    try {
      await new Objm(admin).create(bucket, { replicas: 3, storage: StorageType.File });
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

export const LINK_STORES: readonly LinkStoreCase[] = [s3OnVersityGw];
