// A live peer (the Python reference peer, or a user's own implementation)
// speaking the conformance peer protocol over NATS (docs/conformance.md):
//   <command> --nats URL --prefix P --fileserver-url URL --upload http-put
//   P.hello  request → capabilities
//   P.send   request {case, transport, subject, upload[, fileserver_url]} → {ok, msg_id | error}
//   P.in.>   envelopes to decode; each answered with a receipt on P.receipts
//   P.stop   request → the peer exits

import { type ChildProcess, spawn } from "node:child_process";
import type { NatsConnection, Subscription } from "@nats-io/transport-node";
import type { DecodedPayload } from "./cases.js";

export interface PeerCapabilities {
  name: string;
  implementation?: string;
  produces: string[];
  consumes: string[];
  transports: string[];
  uploads?: string[];
  /**
   * Asked to send what its reference cannot, the peer tries and answers that
   * reference's error ({ok: false}) instead of being left out: the matrix then
   * checks the refusal (status "refused").
   */
  refuses_with_errors?: boolean;
  /** The largest payload its reference sends; larger ones must be refused. */
  max_payload_bytes?: number;
}

export interface Receipt {
  subject: string;
  ok: boolean;
  error?: string;
  msg_id?: string;
  payloads?: DecodedPayload[];
}

export interface SendResult {
  ok: boolean;
  msg_id?: string;
  error?: string;
}

export interface PeerSpec {
  name: string;
  /** argv of the peer command; the protocol arguments are appended. */
  command: string[];
  cwd?: string;
}

export interface Peer {
  readonly name: string;
  readonly caps: PeerCapabilities;
  /** The subject on which this peer decodes envelopes for `cell`. */
  inbox(cell: string): string;
  send(
    request: { case: string; transport: "direct" | "link"; subject: string; upload?: string; fileserver_url?: string },
    timeoutMs: number,
  ): Promise<SendResult>;
  /** Resolves with the receipt for `subject`, or a failed receipt after `timeoutMs`. */
  receipt(subject: string, timeoutMs: number): Promise<Receipt>;
  output(): string;
  stop(): Promise<void>;
}

const codec = {
  encode: (value: unknown) => new TextEncoder().encode(JSON.stringify(value)),
  decode: <T>(data: Uint8Array) => JSON.parse(new TextDecoder().decode(data)) as T,
};

/** Splits a shell-like command line on spaces, honouring single and double quotes. */
export function splitCommand(line: string): string[] {
  const out: string[] = [];
  let current = "";
  let quote: string | undefined;
  let started = false;
  for (const ch of line) {
    if (quote) {
      if (ch === quote) quote = undefined;
      else current += ch;
    } else if (ch === "'" || ch === '"') {
      quote = ch;
      started = true;
    } else if (/\s/.test(ch)) {
      if (started || current) out.push(current);
      current = "";
      started = false;
    } else current += ch;
  }
  if (quote) throw new Error(`unbalanced quote in command: ${line}`);
  if (started || current) out.push(current);
  return out;
}

export async function startPeer(
  spec: PeerSpec,
  nc: NatsConnection,
  options: { natsUrl: string; prefix: string; fileserverUrl: string; startTimeoutMs?: number },
): Promise<Peer> {
  const [cmd, ...args] = spec.command;
  if (!cmd) throw new Error(`peer ${spec.name}: empty command`);
  const argv = [
    ...args,
    "--nats",
    options.natsUrl,
    "--prefix",
    options.prefix,
    "--fileserver-url",
    options.fileserverUrl,
    "--upload",
    "http-put",
  ];
  const child: ChildProcess = spawn(cmd, argv, { cwd: spec.cwd, stdio: ["ignore", "pipe", "pipe"] });
  const lines: string[] = [];
  const keep = (b: Buffer) => {
    lines.push(...b.toString().split("\n").filter(Boolean));
    if (lines.length > 400) lines.splice(0, lines.length - 400);
  };
  child.stdout?.on("data", keep);
  child.stderr?.on("data", keep);
  let exited = false;
  const exit = new Promise<void>((resolve) =>
    child.once("exit", () => {
      exited = true;
      resolve();
    }),
  );
  child.once("error", (e) => lines.push(`spawn error: ${e.message}`));

  const waiting = new Map<string, (r: Receipt) => void>();
  const early = new Map<string, Receipt>();
  const receipts: Subscription = nc.subscribe(`${options.prefix}.receipts`, {
    callback: (err, msg) => {
      if (err) return;
      let r: Receipt;
      try {
        r = codec.decode<Receipt>(msg.data);
      } catch {
        return;
      }
      const resolve = waiting.get(r.subject);
      if (resolve) resolve(r);
      else early.set(r.subject, r);
    },
  });
  await nc.flush();

  const deadline = Date.now() + (options.startTimeoutMs ?? 60_000);
  let caps: PeerCapabilities | undefined;
  while (!caps) {
    if (exited) throw new Error(`peer ${spec.name} exited before answering ${options.prefix}.hello:\n${lines.slice(-30).join("\n")}`);
    if (Date.now() > deadline) {
      child.kill("SIGKILL");
      throw new Error(`peer ${spec.name} did not answer ${options.prefix}.hello in time:\n${lines.slice(-30).join("\n")}`);
    }
    try {
      caps = codec.decode<PeerCapabilities>((await nc.request(`${options.prefix}.hello`, new Uint8Array(), { timeout: 500 })).data);
    } catch {
      await new Promise((r) => setTimeout(r, 200));
    }
  }
  const capabilities = caps;

  return {
    name: spec.name,
    caps: capabilities,
    inbox: (cell) => `${options.prefix}.in.${cell}`,
    async send(request, timeoutMs) {
      try {
        const reply = await nc.request(`${options.prefix}.send`, codec.encode(request), { timeout: timeoutMs });
        return codec.decode<SendResult>(reply.data);
      } catch (e) {
        return { ok: false, error: `no answer to ${options.prefix}.send: ${(e as Error).message}` };
      }
    },
    receipt(subject, timeoutMs) {
      const got = early.get(subject);
      if (got) {
        early.delete(subject);
        return Promise.resolve(got);
      }
      return new Promise((resolve) => {
        const timer = setTimeout(() => {
          waiting.delete(subject);
          resolve({ subject, ok: false, error: `no receipt from ${spec.name} within ${timeoutMs} ms` });
        }, timeoutMs);
        waiting.set(subject, (r) => {
          clearTimeout(timer);
          waiting.delete(subject);
          resolve(r);
        });
      });
    },
    output: () => lines.slice(-40).join("\n"),
    async stop() {
      receipts.unsubscribe();
      if (exited) return;
      await nc.request(`${options.prefix}.stop`, new Uint8Array(), { timeout: 2000 }).catch(() => undefined);
      const timer = setTimeout(() => child.kill("SIGTERM"), 3000);
      const killer = setTimeout(() => child.kill("SIGKILL"), 8000);
      await exit;
      clearTimeout(timer);
      clearTimeout(killer);
    },
  };
}
