// TLS to NATS: a CA and a server certificate made here with the openssl CLI, a
// real nats-server requiring TLS, and the bridge connecting over tls:// with
// the custom CA. Without the CA (or with another one) the connection is
// refused; two TLS settings never share one pooled connection.
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { NatsConnection } from "@nats-io/transport-node";
import { createBridge, type NatsBridge } from "@natsbridge/core";
import { type NatsServer, startNatsServer } from "@natsbridge/test-harness";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const dir = mkdtempSync(join(tmpdir(), "natsbridge-tls-"));
const file = (name: string) => join(dir, name);
let server: NatsServer;
const bridges: NatsBridge[] = [];

function openssl(...args: string[]) {
  try {
    execFileSync("openssl", args, { cwd: dir, stdio: "pipe" });
  } catch (e) {
    throw new Error(`openssl ${args[0]} failed (install it with \`bash scripts/setup.sh openssl\`): ${(e as Error).message}`);
  }
}

/** A self-signed CA and a server certificate for 127.0.0.1/localhost signed by it (P-256, one day). */
function makeCertificates(prefix: string) {
  const key = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"];
  openssl(
    "req",
    "-x509",
    ...key,
    "-keyout",
    `${prefix}ca.key`,
    "-out",
    `${prefix}ca.pem`,
    "-days",
    "1",
    "-subj",
    `/CN=natsbridge test CA ${prefix}`,
  );
  openssl("req", ...key, "-keyout", `${prefix}server.key`, "-out", `${prefix}server.csr`, "-subj", "/CN=localhost");
  writeFileSync(file(`${prefix}san.ext`), "subjectAltName=IP:127.0.0.1,DNS:localhost\n");
  openssl(
    "x509",
    "-req",
    "-in",
    `${prefix}server.csr`,
    "-CA",
    `${prefix}ca.pem`,
    "-CAkey",
    `${prefix}ca.key`,
    "-CAcreateserial",
    "-out",
    `${prefix}server.pem`,
    "-days",
    "1",
    "-extfile",
    `${prefix}san.ext`,
  );
}

beforeAll(async () => {
  makeCertificates("");
  makeCertificates("other-");
  server = await startNatsServer({
    scheme: "tls",
    extraConfig: `tls { cert_file: "${file("server.pem")}", key_file: "${file("server.key")}", timeout: 2 }`,
  });
});
afterAll(async () => {
  for (const b of bridges) await b.close();
  await server?.dispose();
  rmSync(dir, { recursive: true, force: true });
});

const bridge = (caFile?: string) => {
  const b = createBridge({ brokerUrl: server.url, ...(caFile ? { connectOptions: { tls: { caFile } } } : {}) });
  bridges.push(b);
  return b;
};

describe("TLS to nats-server", () => {
  it("the server URL is tls://", () => {
    expect(server.url).toMatch(/^tls:\/\/127\.0\.0\.1:\d+$/);
  });

  it("connects over tls:// with the custom CA; a message goes round", async () => {
    const b = bridge(file("ca.pem"));
    // The bridge opened it itself: a nats.js v3 connection.
    const nc = (await b.connection()) as NatsConnection;
    expect(nc.info?.tls_required).toBe(true);
    const sub = await b.subscribe("tls.test");
    await nc.flush();
    await b.smartsend("tls.test", [["greeting", "over TLS", "text"]]);
    for await (const env of sub) {
      expect(env.payloads[0]).toEqual(["greeting", "over TLS", "text"]);
      break;
    }
  });

  it("without the CA the certificate is not trusted: CONNECTION_FAILED", async () => {
    const error = await bridge()
      .connection({ connectOptions: { reconnect: false } })
      .catch((e: Error) => e);
    expect(error).toMatchObject({ code: "CONNECTION_FAILED" });
    expect((error as Error).message).toMatch(/certificate/i);
  });

  it("a different CA is refused too, and does not reuse the trusted connection of the same bridge", async () => {
    const b = bridge(file("ca.pem"));
    await b.connection(); // the pooled connection with the right CA
    await expect(b.connection({ connectOptions: { tls: { caFile: file("other-ca.pem") }, reconnect: false } })).rejects.toMatchObject({
      code: "CONNECTION_FAILED",
    });
  });

  it("a plain nats:// client is refused by a server that requires TLS", async () => {
    const plain = createBridge({ brokerUrl: server.url.replace("tls://", "nats://") });
    bridges.push(plain);
    // nats.js upgrades when the server asks for TLS; without a trusted CA that fails.
    await expect(plain.connection({ connectOptions: { reconnect: false } })).rejects.toMatchObject({ code: "CONNECTION_FAILED" });
  });
});
