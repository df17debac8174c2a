// A websocket endpoint in front of a plain nats:// server, for browsers when
// the server has no websocket listener of its own (the conformance suite's
// nats-server). Each websocket is piped byte for byte to a TCP connection:
// NATS over websockets is the same protocol in binary frames.

import type { AddressInfo } from "node:net";
import { connect, type Socket } from "node:net";
import { WebSocketServer } from "ws";

export interface WsProxy {
  /** ws://127.0.0.1:PORT */
  url: string;
  close(): Promise<void>;
}

export async function startWsProxy(natsUrl: string): Promise<WsProxy> {
  const target = new URL(
    natsUrl
      .split(",")[0]!
      .trim()
      .replace(/^nats:/, "http:"),
  );
  const wss = new WebSocketServer({ host: "127.0.0.1", port: 0 });
  const sockets = new Set<Socket>();
  wss.on("connection", (ws) => {
    const tcp = connect(Number(target.port || 4222), target.hostname);
    sockets.add(tcp);
    tcp.on("data", (chunk) => ws.send(chunk));
    tcp.on("close", () => {
      sockets.delete(tcp);
      ws.close();
    });
    tcp.on("error", () => ws.terminate());
    ws.on("message", (data: Buffer) => tcp.write(data));
    ws.on("close", () => tcp.end());
    ws.on("error", () => tcp.destroy());
  });
  await new Promise<void>((resolve, reject) => {
    wss.once("listening", resolve);
    wss.once("error", reject);
  });
  const { port } = wss.address() as AddressInfo;
  return {
    url: `ws://127.0.0.1:${port}`,
    async close() {
      for (const s of sockets) s.destroy();
      for (const c of wss.clients) c.terminate();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
    },
  };
}
