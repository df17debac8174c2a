// The checks every runtime's smoke run must pass; bun.test.ts and
// deno.test.ts each call describeRoundTrip once.
import { createHash } from "node:crypto";
import { existsSync, statSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BINARY_BYTES, binaryPayload, DICTIONARY, type ReceivedPayload, TEXT } from "../src/payloads.ts";
import { runSmoke, type SmokeRun } from "./run-smoke.ts";

export interface RuntimeUnderTest {
  name: "bun" | "deno";
  /** The pinned version the set-up installed. */
  version: string;
  /** Finds the binary (fails loudly when it is missing). */
  find(): string;
  /** Arguments before the script path. */
  args: string[];
}

export function describeRoundTrip(runtime: RuntimeUnderTest): void {
  describe(`${runtime.name}: @natsbridge/core over a real nats-server and nginx WebDAV`, () => {
    let run: SmokeRun | undefined;
    let payloads: ReceivedPayload[] = [];
    // A run that fails fails every test below (counted as failed, not skipped).
    let runError: Error | undefined;
    const ran = (): SmokeRun => {
      if (runError) throw runError;
      return run!;
    };
    const byName = (dataname: string) => payloads.find((p) => p.dataname === dataname);

    beforeAll(async () => {
      try {
        run = await runSmoke(runtime.find(), runtime.args);
        if ("error" in run.report) {
          throw new Error(`${runtime.name} failed: ${JSON.stringify(run.report.error)}\nstderr:\n${run.stderr}`);
        }
        payloads = run.report.payloads;
      } catch (e) {
        runError = e as Error;
      }
    });
    afterAll(async () => {
      await run?.dispose();
    });

    it(`runs on ${runtime.name} ${runtime.version} and exits 0`, () => {
      const { report, exitCode } = ran();
      expect(report).toMatchObject({ runtime: runtime.name, version: runtime.version });
      expect(exitCode).toBe(0);
      expect(payloads.map((p) => p.dataname)).toEqual(["greeting", "settings", "blob"]);
    });

    it("receives the text, sent direct", () => {
      ran();
      expect(byName("greeting")).toEqual({ dataname: "greeting", payload_type: "text", transport: "direct", value: TEXT });
    });

    it("receives the dictionary, sent direct", () => {
      ran();
      expect(byName("settings")).toEqual({ dataname: "settings", payload_type: "dictionary", transport: "direct", value: DICTIONARY });
    });

    it("receives the 5 MiB binary by link through httpStore and nginx, checksum intact", () => {
      const { nginx } = ran();
      const blob = byName("blob");
      const sha256 = createHash("sha256").update(binaryPayload()).digest("hex");
      expect(blob).toMatchObject({ dataname: "blob", payload_type: "binary", transport: "link", bytes: BINARY_BYTES, sha256 });
      // The bytes really went through the file server: the URL is nginx's and the file is there.
      expect(blob!.url!.startsWith(`${nginx.url}/smoke/`)).toBe(true);
      const file = nginx.pathFor(blob!.url!);
      expect(existsSync(file)).toBe(true);
      expect(statSync(file).size).toBe(BINARY_BYTES);
    });
  });
}
