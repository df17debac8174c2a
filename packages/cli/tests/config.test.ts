import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { resolveConfig, UsageError } from "@natsbridge/cli";
import { describe, expect, it } from "vitest";

const empty = mkdtempSync(join(tmpdir(), "natsbridge-cli-config-"));

describe("resolveConfig", () => {
  it("defaults are the references' (Plik on localhost:8080, 0.5 MB threshold)", () => {
    expect(resolveConfig({}, {}, empty)).toMatchObject({
      natsUrl: "nats://localhost:4222",
      fileserverUrl: "http://localhost:8080",
      sizeThreshold: 500_000,
      store: "plik",
      allowAnyHost: false,
      allowedOrigins: [],
    });
  });

  it("flags > env > config file > defaults, field by field", () => {
    const dir = mkdtempSync(join(tmpdir(), "natsbridge-cli-config-"));
    writeFileSync(
      join(dir, "natsbridge.config.json"),
      JSON.stringify({
        natsUrl: "nats://file:4222",
        fileserverUrl: "http://file:8080",
        sizeThreshold: 7,
        store: "s3",
        s3: { bucket: "b" },
      }),
    );
    const env = { NATS_URL: "nats://env:4222", SIZE_THRESHOLD: "9" };
    const c = resolveConfig({ "fileserver-url": "http://flag:1" }, env, dir);
    expect(c).toMatchObject({
      natsUrl: "nats://env:4222",
      fileserverUrl: "http://flag:1",
      sizeThreshold: 9,
      store: "s3",
      s3: { bucket: "b" },
    });
    expect(c.file).toBe("natsbridge.config.json");
    expect(resolveConfig({ "size-threshold": "11" }, env, dir).sizeThreshold).toBe(11);
  });

  it("NATSBRIDGE_CONFIG and --config name the file; --config wins", () => {
    const dir = mkdtempSync(join(tmpdir(), "natsbridge-cli-config-"));
    writeFileSync(join(dir, "a.json"), JSON.stringify({ store: "http" }));
    writeFileSync(join(dir, "b.json"), JSON.stringify({ store: "none" }));
    expect(resolveConfig({}, { NATSBRIDGE_CONFIG: "a.json" }, dir).store).toBe("http");
    expect(resolveConfig({ config: "b.json" }, { NATSBRIDGE_CONFIG: "a.json" }, dir).store).toBe("none");
  });

  it.each([
    [{ store: "ftp" }, {}, "unknown store"],
    [{ "size-threshold": "0" }, {}, "positive integer"],
    [{}, { SIZE_THRESHOLD: "lots" }, "SIZE_THRESHOLD must be a positive integer"],
    [{ "fileserver-url": "not a url" }, {}, "invalid file server URL"],
    [{ config: "/no/such/config.json" }, {}, "cannot read config file"],
  ])("rejects %j %j", (flags, env, message) => {
    expect(() => resolveConfig(flags, env, empty)).toThrow(UsageError);
    expect(() => resolveConfig(flags, env, empty)).toThrow(message);
  });

  it("a config value of the wrong type names the key", () => {
    const dir = mkdtempSync(join(tmpdir(), "natsbridge-cli-config-"));
    writeFileSync(join(dir, "natsbridge.config.json"), JSON.stringify({ sizeThreshold: "big" }));
    expect(() => resolveConfig({}, {}, dir)).toThrow("'sizeThreshold' must be a number");
  });
});
