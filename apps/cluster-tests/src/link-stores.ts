// The claim-check stores the cluster tests send link payloads through, as a
// table: each test runs once per entry. A store backed by the cluster itself
// (the JetStream object store) gets the cluster in its context and is one more
// entry here.
import { CreateBucketCommand, ListObjectsV2Command, S3Client } from "@aws-sdk/client-s3";
import type { ClaimCheckStore } from "@natsbridge/core";
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

export const LINK_STORES: readonly LinkStoreCase[] = [s3OnVersityGw];
