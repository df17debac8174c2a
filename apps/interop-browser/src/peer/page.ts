// natsbridge in Chromium as a conformance peer (docs/conformance.md, "The peer
// protocol"): P.hello → capabilities, P.send → smartsend a case (direct, or
// every payload by link through the HTTP store, or through Plik when the
// request says upload "plik" and names the Plik URL), P.in.> → smartreceive and a
// receipt on P.receipts, P.stop → stop. Driven by src/peer/cli.ts, which hands
// it its settings and the cases through `window.peer.start`.

import { arrowCodecs, tableToRows } from "@natsbridge/arrow";
import { createBridge, httpStore, type NatsBridge } from "@natsbridge/core";
import { plikStore } from "@natsbridge/plik";
import { type CaseSpec, canonicalPayloads, caseTuples } from "./cases.js";

export interface PeerConfig {
  /** ws:// URL of the NATS server. */
  ws: string;
  prefix: string;
  fileserverUrl: string;
  cases: CaseSpec[];
}

const TYPES = ["text", "dictionary", "jsontable", "arrowtable", "table", "image", "audio", "video", "binary"];
export const PEER_NAME = "browser-chromium";

const json = {
  encode: (value: unknown) => new TextEncoder().encode(JSON.stringify(value)),
  decode: <T>(data: Uint8Array) => JSON.parse(new TextDecoder().decode(data)) as T,
};
const describe = (e: unknown) => {
  const err = e as { code?: string; name?: string; message?: string };
  return `${err?.code ?? err?.name ?? "Error"}: ${err?.message ?? String(e)}`;
};

let stop!: () => void;
const stopped = new Promise<void>((resolve) => (stop = resolve));

async function start(config: PeerConfig): Promise<void> {
  const cases = new Map(config.cases.map((c) => [c.name, c]));
  const bridge: NatsBridge = createBridge({
    brokerUrl: config.ws,
    fileserverUrl: config.fileserverUrl,
    codecs: arrowCodecs(),
    // Link URLs point at the suite's fixture server as well as the file server.
    allowAnyHost: true,
  });
  const store = httpStore({ baseUrl: config.fileserverUrl });
  const nc = await bridge.connection();
  const caps = {
    name: PEER_NAME,
    implementation: `@natsbridge/core (browser entry: @nats-io/nats-core wsconnect, fetch, Web Crypto) in ${navigator.userAgent}`,
    produces: TYPES,
    consumes: TYPES,
    transports: ["direct", "link"],
    uploads: ["http-put", "plik"],
  };

  nc.subscribe(`${config.prefix}.hello`, { callback: (_e, msg) => void msg.respond(json.encode(caps)) });
  nc.subscribe(`${config.prefix}.send`, {
    callback: (_e, msg) => {
      void (async () => {
        try {
          const cmd = json.decode<{
            case: string;
            transport: "direct" | "link";
            subject: string;
            upload?: string;
            fileserver_url?: string;
          }>(msg.data);
          const c = cases.get(cmd.case);
          if (!c) throw new Error(`unknown case ${cmd.case}`);
          const [env] = await bridge.smartsend(cmd.subject, caseTuples(c), {
            // Plik sends no CORS headers: the URL given must be a CORS proxy in front of it.
            store: cmd.upload === "plik" ? plikStore({ url: cmd.fileserver_url ?? config.fileserverUrl }) : store,
            alwaysLink: cmd.transport === "link",
            senderName: PEER_NAME,
            flush: true,
          });
          msg.respond(json.encode({ ok: true, msg_id: env.msg_id }));
        } catch (e) {
          msg.respond(json.encode({ ok: false, error: describe(e) }));
        }
      })();
    },
  });
  nc.subscribe(`${config.prefix}.in.>`, {
    callback: (_e, msg) => {
      void (async () => {
        let receipt: Record<string, unknown>;
        try {
          const env = await bridge.smartreceive(msg);
          receipt = {
            subject: msg.subject,
            ok: true,
            msg_id: env.msg_id,
            payloads: await canonicalPayloads(env.payloads, tableToRows as never),
          };
        } catch (e) {
          receipt = { subject: msg.subject, ok: false, error: describe(e) };
        }
        nc.publish(`${config.prefix}.receipts`, json.encode(receipt));
      })();
    },
  });
  nc.subscribe(`${config.prefix}.stop`, {
    callback: (_e, msg) => {
      msg.respond(json.encode({}));
      void nc.flush().then(stop, stop);
    },
  });
  await nc.flush();
  document.querySelector("#status")!.textContent = `serving ${config.prefix}.* on ${config.ws}`;
}

declare global {
  interface Window {
    peer: { start: typeof start; stopped: Promise<void> };
  }
}
window.peer = { start, stopped };
