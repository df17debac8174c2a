// @natsbridge/objstore: a claim-check store on a JetStream Object Store bucket.
// Large payloads stay inside NATS; a `nats-obj://bucket/name` link travels.
export { objectStore, NatsObjectStore } from "./store.js";
export { DEFAULT_CHUNK_SIZE, type ConnectionSource, type ObjectStoreOptions } from "./options.js";
export { formatObjectUrl, OBJECT_URL_SCHEME, parseObjectUrl, type ObjectLocation } from "./url.js";
