// A page's view of @natsbridge/core (see tsconfig.json here): the browser API
// is there, and nothing Node-only. If `exports` put "types" before "browser",
// TypeScript would read the Node entry's types and every @ts-expect-error
// below would be unused, which fails the compile.
import * as core from "@natsbridge/core";
import { createBridge, httpStore, type NatsBridge, type ReceivedEnvelope } from "@natsbridge/core";
import { bodyChunks, type ClaimCheckStore, checkLinkUrl, safeFileName } from "@natsbridge/core/store";

const bridge: NatsBridge = createBridge({ brokerUrl: "wss://nats.example.com" });
const store: ClaimCheckStore = httpStore({ baseUrl: "https://files.example.com/claims" });
export async function sendAndReceive(): Promise<ReceivedEnvelope> {
  await bridge.smartsend("chat", [["text", "hello", "text"]], { store });
  return bridge.request("chat", [["avatar", new Uint8Array(8), "image"]]);
}
export const storeHelpers = [bodyChunks, checkLinkUrl, safeFileName];

// @ts-expect-error fileSource reads the file system: Node entry only.
void core.fileSource;
// @ts-expect-error its options type goes with it.
export type FileSourceOptions = core.FileSourceOptions;
// @ts-expect-error the top-level consume() is Node-only; pages call bridge.consume().
void core.consume;
