// Sending one large payload to several subscribers through Plik: one-shot
// links would serve only the first, so this uses a non-one-shot upload with a TTL.
import { createBridge } from "@natsbridge/core";
import { plikReceiveOptions, plikStore } from "@natsbridge/plik";

const fileserverUrl = process.env.FILESERVER_URL ?? "http://localhost:8080";
const store = plikStore({ url: fileserverUrl, oneShot: false, ttl: 3600 });
const bridge = createBridge({ fileserverUrl, store });

const sub = await bridge.subscribe("/reports", { ...plikReceiveOptions });
void (async () => {
  for await (const env of sub) for (const [name, value] of env.payloads) console.log(name, (value as Uint8Array).byteLength);
})();

await bridge.smartsend("/reports", [["report", new Uint8Array(5_000_000), "binary"]]);
await new Promise((r) => setTimeout(r, 1000));
await bridge.close();
