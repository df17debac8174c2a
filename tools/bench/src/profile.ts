// One side of one path in a loop, for `node --cpu-prof`: the per-message work
// of a send or a receive at one size, without a network (the publish goes to
// a stub connection that keeps the bytes). Then `profile-top.mjs` lists where
// the time went.
//
//   node --cpu-prof --cpu-prof-dir=prof --conditions=source --import tsx src/profile.ts natsbridge send 100
//   node src/profile-top.mjs prof/*.cpuprofile

import { createBridge } from "@natsbridge/core";
import { referenceReceive, referenceSend } from "./reference-path.js";
import { asMsg, stubConnection } from "./stub-connection.js";

const [path = "natsbridge", side = "send", sizeText = "100", secondsText = "3"] = process.argv.slice(2);
const size = Number(sizeText);
const { connection: stub, lastPublished } = stubConnection();
const bridge = createBridge({ connection: stub, sizeThreshold: 1_000_000 });
const payload = Uint8Array.from({ length: size }, (_, i) => (i * 7) & 0xff);
const send =
  path === "reference" ? () => referenceSend(stub, "prof", "blob", payload) : () => bridge.smartsend("prof", [["blob", payload, "binary"]]);
await send();
const msg = asMsg(lastPublished(), "prof");
const receive = path === "reference" ? () => referenceReceive(msg) : () => bridge.smartreceive(msg);
const run = side === "send" ? send : receive;
const deadline = performance.now() + Number(secondsText) * 1000;
let n = 0;
while (performance.now() < deadline) {
  for (let i = 0; i < 100; i++) await run();
  n += 100;
}
console.log(`${path} ${side} ${size} B: ${n} messages`);
