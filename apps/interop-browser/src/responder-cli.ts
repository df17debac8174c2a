// `pnpm --filter @natsbridge/interop-browser responder -- --nats nats://127.0.0.1:4222 --files http://127.0.0.1:8080`
// runs the Node chat backend by hand, for the page served by `pnpm dev`.

import { parseArgs } from "node:util";
import { startResponder } from "./node/responder.js";

const { values } = parseArgs({
  options: {
    nats: { type: "string", default: process.env.NATS_URL ?? "nats://127.0.0.1:4222" },
    files: { type: "string", default: process.env.FILESERVER_URL ?? "http://127.0.0.1:8080" },
    subject: { type: "string" },
  },
});
const responder = await startResponder({
  brokerUrl: values.nats!,
  fileserverUrl: values.files!,
  ...(values.subject ? { subject: values.subject } : {}),
});
console.error(`responder: answering prompts on ${values.subject ?? "the chat subject"} via ${values.nats}, files on ${values.files}`);
for (const sig of ["SIGINT", "SIGTERM"] as const) process.once(sig, () => void responder.close().then(() => process.exit(0)));
