// Is it a NATS server at all? (Node.) A NATS server greets every client with
// `INFO {...}` the moment it accepts the connection; the NATS client waits
// for that greeting, up to its connect timeout (20 s), when something else
// listens on the port: an HTTP server says nothing until it gets a request.
// So before the client connects, a probe connection reads the first bytes:
// `INFO` (or a NATS `-ERR`) is a NATS server; anything else is not, and the
// connection fails at once, naming what answered. A server that stays silent
// is prodded with a blank HTTP request, which any HTTP server answers and a
// NATS server refuses with `-ERR`. A probe that learns nothing (refused,
// unreachable, silent) decides nothing: the client then connects as always.

import { connect as tcpConnect } from "node:net";

/** How long the probe waits for a greeting before it prods, and in all. */
const GREETING_MS = 250;
const PROBE_MS = 2000;

/**
 * A reason when the server at `url` is surely not a NATS server (e.g. "an
 * HTTP server answered: HTTP/1.1 400 Bad Request"), else undefined.
 */
function probeNatsServer(url: string): Promise<string | undefined> {
  let host: string;
  let port: number;
  try {
    const u = new URL(/^[a-z]+:\/\//i.test(url) ? url : `nats://${url}`);
    // TLS servers that want the handshake first (and websockets) are left to the client.
    if (u.protocol !== "nats:") return Promise.resolve(undefined);
    host = u.hostname.replace(/^\[|\]$/g, "");
    port = Number(u.port || 4222);
  } catch {
    return Promise.resolve(undefined);
  }
  return new Promise((resolve) => {
    const socket = tcpConnect({ host, port });
    let first = "";
    const finish = (reason: string | undefined) => {
      clearTimeout(prod);
      clearTimeout(giveUp);
      socket.destroy();
      resolve(reason);
    };
    const prod = setTimeout(() => socket.write("GET / HTTP/1.0\r\n\r\n"), GREETING_MS);
    const giveUp = setTimeout(() => finish(undefined), PROBE_MS);
    socket.on("error", () => finish(undefined));
    socket.on("data", (chunk: Buffer) => {
      first += chunk.toString("latin1");
      if (!first.includes("\n") && first.length < 64) return;
      const line = first.split(/\r?\n/)[0]!.trim();
      if (/^(INFO|-ERR|PING)\b/.test(line)) finish(undefined);
      else finish(`${/^HTTP\/\d/.test(line) ? "an HTTP server" : "something that is not a NATS server"} answered: ${line.slice(0, 80)}`);
    });
    socket.on("end", () => finish(first ? `it closed the connection after: ${first.split(/\r?\n/)[0]!.slice(0, 80)}` : undefined));
  });
}

/** A reason when every one of the servers is surely not a NATS server; undefined when any may be one. */
export async function probeNatsServers(servers: string | string[] | undefined): Promise<string | undefined> {
  const list = typeof servers === "string" ? [servers] : (servers ?? []);
  if (list.length === 0) return undefined;
  const reasons = await Promise.all(list.map((s) => probeNatsServer(s)));
  return reasons.every((r) => r !== undefined) ? reasons.join("; ") : undefined;
}
