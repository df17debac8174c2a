// The shared claim-check store conformance suite, run against the S3 store on
// the run's versitygw: once as Julia and Python receivers read it (presigned
// URLs, a plain GET without credentials), once with s3:// links, which only a
// receiver holding the store (and its credentials) reads, through the SDK.
import { httpRead, testStore } from "@natsbridge/core/testing";
import { s3, storeOnServer } from "./helpers.js";

// The same store with a wrong secret: S3 refuses every call it signs.
const failing = (link: "presigned" | "s3") => () => {
  const store = storeOnServer({ link, credentials: { accessKeyId: s3.accessKeyId, secretAccessKey: "not-the-secret" } });
  return { store, url: `s3://${s3.bucket}/conformance-${process.pid}/refused/blob.bin`, cleanup: async () => store.client.destroy() };
};

testStore({
  name: "s3 (versitygw, presigned URLs read with a plain GET)",
  capabilities: ["get", "owns", "delete"],
  create: () => {
    const store = storeOnServer({ keyPrefix: `conformance-${process.pid}` });
    return { store, cleanup: async () => store.client.destroy() };
  },
  read: httpRead,
  failing: failing("presigned"),
});

testStore({
  name: "s3 (versitygw, s3:// links read through the SDK)",
  capabilities: ["get", "owns", "delete"],
  create: () => {
    const store = storeOnServer({ keyPrefix: `conformance-s3-${process.pid}`, link: "s3" });
    return { store, cleanup: async () => store.client.destroy() };
  },
  failing: failing("s3"),
});
