// @natsbridge/objstore: a claim-check store on a JetStream Object Store bucket.
// Large payloads stay inside NATS; a `nats-obj://bucket/name` link travels.

export { type ConnectionSource, DEFAULT_CHUNK_SIZE, type ObjectStoreOptions } from "./options.js";
export { NatsObjectStore, objectStore } from "./store.js";
export { formatObjectUrl, OBJECT_URL_SCHEME, type ObjectLocation, parseObjectUrl } from "./url.js";
