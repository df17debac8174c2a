// The MicroPython peer for the conformance suite (docs/conformance.md, "The
// peer protocol"):
//
//   node --import tsx src/cli.ts --nats URL --prefix P
//        [--fileserver-url URL] [--upload http-put]
//
// A Node host around the MicroPython VM (src/vm.ts). The host subscribes to
// P.hello, P.send, P.in.> and P.stop and hands each message's bytes to the
// MicroPython code, which builds or parses every envelope, receipt and reply;
// the host publishes what the VM wrote, unread. MicroPython sends by direct
// transport only, so --fileserver-url and --upload are accepted and unused.

import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { connect, type Msg } from "@nats-io/transport-node";
import { REPO_ROOT } from "@natsbridge/test-harness";
import { type OutgoingMessage, startVm } from "./vm.js";

const { values } = parseArgs({
  options: {
    nats: { type: "string", default: "nats://127.0.0.1:4222" },
    prefix: { type: "string" },
    "fileserver-url": { type: "string", default: "" },
    upload: { type: "string", default: "http-put" },
    heap: { type: "string" },
  },
});
if (!values.prefix) throw new Error("--prefix is required");
const prefix = values.prefix;

const vm = await startVm({
  casesJson: readFileSync(join(REPO_ROOT, "fixtures", "v1", "cases.json"), "utf8"),
  config: { nats: values.nats!, prefix, fileserver_url: values["fileserver-url"]! },
  ...(values.heap ? { heapBytes: Number(values.heap) } : {}),
});
const nc = await connect({ servers: values.nats!, name: `micropython-peer ${prefix}` });

/** Publishes what the VM wrote: to its subject, or as the reply to `request`. */
function deliver(out: OutgoingMessage[], request?: Msg): void {
  for (const m of out) {
    if (m.to) nc.publish(m.to, m.data);
    else request?.respond(m.data);
  }
}

/** One VM call; a crash of the VM call itself (never expected) is answered, not fatal. */
function run(kind: "hello" | "send" | "envelope", msg: Msg): void {
  try {
    deliver(vm.handle(kind, msg.data, msg.subject), msg);
  } catch (error) {
    const text = `the MicroPython VM failed: ${String((error as Error)?.message ?? error)}`;
    console.error(text, vm.output().slice(-10).join("\n"));
    const failure = new TextEncoder().encode(JSON.stringify({ ok: false, error: text, subject: msg.subject }));
    if (kind === "envelope") nc.publish(`${prefix}.receipts`, failure);
    else msg.respond(failure);
  }
}

let stop!: () => void;
const stopped = new Promise<void>((resolve) => (stop = resolve));
nc.subscribe(`${prefix}.hello`, { callback: (_e, msg) => run("hello", msg) });
nc.subscribe(`${prefix}.send`, { callback: (_e, msg) => run("send", msg) });
nc.subscribe(`${prefix}.in.>`, { callback: (_e, msg) => run("envelope", msg) });
nc.subscribe(`${prefix}.stop`, {
  callback: (_e, msg) => {
    msg.respond(new TextEncoder().encode("{}"));
    stop();
  },
});
await nc.flush();
for (const sig of ["SIGINT", "SIGTERM"] as const) process.once(sig, stop);
console.log(JSON.stringify({ ready: true, name: "micropython", vm: vm.version, prefix }));
await stopped;
await nc.drain();
