// NATS authentication (user/password, token) against real nats-servers, an
// authenticated file server (nginx requiring Authorization on uploads), and a
// check that no secret — NATS password or token, upload token, presigned
// query string — reaches the logs (pino at debug) or the errors.
import { Writable } from "node:stream";
import { type ClaimCheckStore, createBridge, httpStore, type NatsBridge } from "@natsbridge/core";
import { pattern } from "@natsbridge/core/testing";
import { type NatsServer, type NginxDav, startNatsServer, startNginxDav } from "@natsbridge/test-harness";
import { pino } from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const PASSWORD = "pw-7f3a9c-never-log-me";
const TOKEN = "tok-51be0e-never-log-me";
const UPLOAD_TOKEN = "Bearer up-9d2c44-never-log-me";
const SIGNATURE = "sig-c0ffee-never-log-me";
const SECRETS = [PASSWORD, TOKEN, UPLOAD_TOKEN.split(" ")[1]!, SIGNATURE];

let userServer: NatsServer;
let tokenServer: NatsServer;
let nginx: NginxDav;
const bridges: NatsBridge[] = [];
const track = (b: NatsBridge) => {
  bridges.push(b);
  return b;
};

beforeAll(async () => {
  userServer = await startNatsServer({ extraConfig: `authorization { users = [ { user: "alice", password: "${PASSWORD}" } ] }` });
  tokenServer = await startNatsServer({ extraConfig: `authorization { token: "${TOKEN}" }` });
  nginx = await startNginxDav({ authorization: UPLOAD_TOKEN });
});
afterAll(async () => {
  for (const b of bridges) await b.close();
  await userServer?.dispose();
  await tokenServer?.dispose();
  await nginx?.dispose();
});

async function roundTrip(b: NatsBridge, subject: string) {
  const sub = await b.subscribe(subject);
  await (await b.connection()).flush();
  await b.smartsend(subject, [["t", "authenticated", "text"]]);
  for await (const env of sub) return env.payloads[0]![1];
  return undefined;
}

const noReconnect = { reconnect: false } as const;

describe("NATS user/password", () => {
  it("the right user and password connect, and messages flow", async () => {
    const b = track(createBridge({ brokerUrl: userServer.url, connectOptions: { user: "alice", pass: PASSWORD } }));
    expect(await roundTrip(b, "auth.user")).toBe("authenticated");
  });

  it("a wrong password is CONNECTION_FAILED, and the error does not contain it", async () => {
    const b = track(createBridge({ brokerUrl: userServer.url }));
    const error = await b
      .connection({ connectOptions: { user: "alice", pass: `${PASSWORD}-wrong`, ...noReconnect } })
      .catch((e: Error) => e);
    expect(error).toMatchObject({ code: "CONNECTION_FAILED" });
    expect(JSON.stringify(error) + (error as Error).message).not.toContain(PASSWORD);
  });

  it("credentials in the URL (nats://user:pass@host) work and are redacted from errors", async () => {
    const url = userServer.url.replace("nats://", `nats://alice:${PASSWORD}@`);
    const ok = track(createBridge({ brokerUrl: url }));
    expect(await roundTrip(ok, "auth.url")).toBe("authenticated");
    const bad = track(createBridge({ brokerUrl: url.replace(PASSWORD, `${PASSWORD}x`) }));
    const error = await bad.connection({ connectOptions: noReconnect }).catch((e: Error) => e);
    expect(error).toMatchObject({ code: "CONNECTION_FAILED", details: { servers: [expect.stringContaining("alice:***@")] } });
    expect(JSON.stringify(error) + (error as Error).message).not.toContain(PASSWORD);
  });

  it("different credentials never share a pooled connection", async () => {
    const b = track(createBridge({ brokerUrl: userServer.url }));
    await b.connection({ connectOptions: { user: "alice", pass: PASSWORD } });
    await expect(b.connection({ connectOptions: { user: "alice", pass: "nope", ...noReconnect } })).rejects.toMatchObject({
      code: "CONNECTION_FAILED",
    });
  });
});

describe("NATS token", () => {
  it("the right token connects; none or a wrong one is CONNECTION_FAILED without echoing it", async () => {
    const ok = track(createBridge({ brokerUrl: tokenServer.url, connectOptions: { token: TOKEN } }));
    expect(await roundTrip(ok, "auth.token")).toBe("authenticated");
    const b = track(createBridge({ brokerUrl: tokenServer.url }));
    await expect(b.connection({ connectOptions: noReconnect })).rejects.toMatchObject({ code: "CONNECTION_FAILED" });
    const error = await b.connection({ connectOptions: { token: `${TOKEN}-wrong`, ...noReconnect } }).catch((e: Error) => e);
    expect(error).toMatchObject({ code: "CONNECTION_FAILED" });
    expect(JSON.stringify(error) + (error as Error).message).not.toContain(TOKEN);
  });
});

describe("no secrets in logs", () => {
  it("a full send and receive at debug level, with an upload token and presigned-style links, logs none of them", async () => {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk, _enc, done) {
        lines.push(String(chunk));
        done();
      },
    });
    const logger = pino({ level: "debug" }, sink);
    const inner = httpStore({ baseUrl: `${nginx.url}/blobs`, headers: { authorization: UPLOAD_TOKEN } });
    // Links that carry a credential in their query, as presigned S3 URLs do (nginx ignores the query).
    const presigned: ClaimCheckStore = {
      ...inner,
      name: "presigned",
      put: async (req) => {
        const r = await inner.put(req);
        return { url: `${r.url}?X-Amz-Credential=AKIA&X-Amz-Signature=${SIGNATURE}` };
      },
    };
    const b = track(
      createBridge({
        brokerUrl: tokenServer.url.replace("nats://", `nats://${TOKEN}@`),
        fileserverUrl: nginx.url,
        store: presigned,
        logger,
      }),
    );
    const sub = await b.subscribe("auth.logs");
    await (await b.connection()).flush();
    await b.smartsend("auth.logs", [
      ["big", pattern(600_000), "binary"],
      ["small", "hi", "text"],
    ]);
    for await (const env of sub) {
      expect((env.payloads[0]![1] as Uint8Array).byteLength).toBe(600_000);
      break;
    }
    // Failing uploads and downloads log and throw with URLs too.
    await nginx.stop();
    const uploadError = await b.smartsend("unused", [["big", pattern(600_000), "binary"]], { isPublish: false }).catch((e: Error) => e);
    await nginx.start();
    expect(uploadError).toMatchObject({ code: "UPLOAD_FAILED" });
    const [, json] = await b.smartsend("unused", [["big", pattern(600_000), "binary"]], { isPublish: false });
    await nginx.stop();
    const error = await b.smartreceive(json, { maxRetries: 2, baseDelay: 10 }).catch((e: Error) => e);
    await nginx.start();
    expect(error).toMatchObject({ code: "DOWNLOAD_FAILED" });

    const all = [
      lines.join(""),
      JSON.stringify(error),
      (error as Error).message,
      JSON.stringify(uploadError),
      (uploadError as Error).message,
    ].join("\n");
    expect(lines.length).toBeGreaterThan(5);
    expect(all).toContain("<redacted>");
    for (const secret of SECRETS) expect(all, secret).not.toContain(secret);
  });
});
