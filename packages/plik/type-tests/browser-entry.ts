// A page's view of @natsbridge/plik (see tsconfig.json here): the fetch-based
// store, without the Node entry's undici `dispatcher` option. If `exports` put
// "types" before "browser", the @ts-expect-error below would be unused, which
// fails the compile.
import { createBridge } from "@natsbridge/core";
import { type PlikStoreOptions, plikOneshotUpload, plikStore } from "@natsbridge/plik";

const options: PlikStoreOptions = { url: "https://plik.example.com", oneShot: false };
export const bridge = createBridge({ brokerUrl: "wss://nats.example.com", store: plikStore(options) });
export const handler = plikOneshotUpload;

// @ts-expect-error an undici dispatcher is Node-only.
plikStore({ url: "https://plik.example.com", dispatcher: undefined });
