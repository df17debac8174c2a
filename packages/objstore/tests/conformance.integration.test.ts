// The shared claim-check store conformance suite against the object store on
// the run's real nats-server (JetStream): every case, with the connection
// handed in as core hands it (the store has none of its own), and a store on
// a closed connection for the refusals.
import { connect } from "@nats-io/transport-node";
import { testStore } from "@natsbridge/core/testing";
import { objectStore } from "@natsbridge/objstore";
import { inject } from "vitest";

const natsUrl = inject("natsUrl");

testStore({
  name: "object store (nats-server JetStream, the bridge's connection)",
  capabilities: ["get", "owns", "delete"],
  create: async () => {
    const nc = await connect({ servers: natsUrl });
    return {
      store: objectStore({ bucket: `conformance_${process.pid}` }),
      connection: async () => nc as never,
      cleanup: () => nc.close(),
    };
  },
  failing: async () => {
    const closed = await connect({ servers: natsUrl });
    await closed.close();
    return {
      store: objectStore({ bucket: `conformance_${process.pid}`, connection: closed }),
      url: `nats-obj://conformance_${process.pid}/gone/blob.bin`,
    };
  },
});

testStore({
  name: "object store with 16 KiB chunks and its own connection",
  capabilities: ["get", "owns", "delete"],
  largeSize: 4 * 1024 * 1024,
  create: async () => {
    const nc = await connect({ servers: natsUrl });
    return {
      store: objectStore({ bucket: `conformance_small_${process.pid}`, chunkSize: 16 * 1024, connection: nc }),
      cleanup: () => nc.close(),
    };
  },
});
