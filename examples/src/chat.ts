// Chat with mixed payloads: Alice sends one message holding a text, her
// settings (a dictionary), an avatar (a small PNG) and a 2 MB document; the
// small ones travel inside the envelope, the document goes to the file server
// and only its URL travels (the claim-check "link" transport). Bob prints what
// arrived and answers on the room. The Julia/Python/JS references' "Example 1".
//
//   pnpm example chat                         # starts nats-server and an HTTP file server for you
//   NATS_URL=nats://127.0.0.1:4222 FILESERVER_URL=http://127.0.0.1:8080 pnpm --filter @natsbridge/examples exec tsx src/chat.ts
//
// FILESERVER_URL is any server that takes HTTP PUT and serves GET (nginx
// WebDAV, a plain object store). For Plik, swap httpStore for plikStore (see
// large-file-plik.ts).
import { createHash } from "node:crypto";
import { createBridge, httpStore, type PayloadTuple } from "@natsbridge/core";
import { deadline, describeValue } from "./lib/show.js";

const room = "chat.room1";
const fileserverUrl = process.env.FILESERVER_URL ?? "http://localhost:8080";
const store = httpStore({ baseUrl: `${fileserverUrl}/chat` });

const alice = createBridge({ senderName: "alice", store });
const bob = createBridge({ senderName: "bob", store });

// A 1×1 PNG, as an avatar.
const avatar = Uint8Array.from(
  Buffer.from("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==", "base64"),
);
const documentBytes = Uint8Array.from({ length: 2_000_000 }, (_, i) => (i * 31 + 7) & 0xff);

// Bob listens on the room and answers every message that is not his own.
const bobSees = await bob.subscribe(room);
const aliceSees = await alice.subscribe(room);
await Promise.all([(await bob.connection()).flush(), (await alice.connection()).flush()]);

const bobDone = (async () => {
  for await (const msg of bobSees) {
    if (msg.sender_name === "bob") continue;
    console.log(`bob got msg ${msg.msg_id} from ${msg.sender_name}:`);
    for (const [dataname, value, type] of msg.payloads) {
      const transport = msg.payloadInfo.find((p) => p.dataname === dataname)?.transport;
      console.log(`  ${dataname} (${type}, ${transport}): ${describeValue(value)}`);
    }
    const doc = msg.payloads.find(([name]) => name === "large_document")?.[1] as Uint8Array;
    const intact = createHash("sha256").update(doc).digest("hex") === createHash("sha256").update(documentBytes).digest("hex");
    await bob.smartsend(room, [["message_text", intact ? "Got it all, thanks!" : "Your document arrived damaged", "text"]], {
      replyToMsgId: msg.msg_id,
      correlationId: msg.correlation_id,
    });
    return intact;
  }
  return false;
})();

const payloads: PayloadTuple[] = [
  ["message_text", "Hello Bob! Slides attached.", "text"],
  ["settings", { theme: "dark", notify: true }, "dictionary"],
  ["user_avatar", avatar, "image"],
  ["large_document", documentBytes, "binary"],
];
const [sent] = await alice.smartsend(room, payloads);
console.log(`alice sent msg ${sent.msg_id}: ${sent.payloads.map((p) => `${p.dataname} by ${p.transport}`).join(", ")}`);

const answer = (async () => {
  for await (const msg of aliceSees) {
    if (msg.sender_name !== "bob") continue;
    console.log(`alice got bob's answer: ${describeValue(msg.payloads[0]![1])}`);
    return msg.reply_to_msg_id === sent.msg_id;
  }
  return false;
})();

const [intact, threaded] = await Promise.race([Promise.all([bobDone, answer]), deadline(15_000, "chat")]);
await Promise.all([alice.close(), bob.close()]);
const ok = intact && threaded && sent.payloads.find((p) => p.dataname === "large_document")?.transport === "link";
console.log(ok ? "chat: OK" : "chat: FAILED");
process.exit(ok ? 0 : 1);
