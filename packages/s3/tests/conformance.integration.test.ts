// The shared claim-check store conformance suite, run against the S3 store on
// the run's versitygw. Reads go through the presigned URL with a plain GET,
// as Julia and Python receivers do.
import { testStore } from "@natsbridge/core/testing";
import { storeOnServer } from "./helpers.js";

testStore({
  name: "s3 (versitygw, presigned URLs)",
  create: () => {
    const store = storeOnServer({ keyPrefix: `conformance-${process.pid}` });
    return { store, cleanup: async () => store.client.destroy() };
  },
});
