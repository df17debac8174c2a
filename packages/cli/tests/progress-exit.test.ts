import { PassThrough } from "node:stream";
import { ExitCodes, exitCodeFor, UsageError } from "@natsbridge/cli";
import {
  ConnectionFailedError,
  DownloadFailedError,
  InvalidEnvelopeError,
  RequestTimeoutError,
  SlowConsumerError,
  UploadFailedError,
} from "@natsbridge/envelope";
import { describe, expect, it } from "vitest";
import { createProgress, formatBytes } from "../src/progress.js";

describe("progress bars", () => {
  it("draw nothing when the stream is not a terminal", () => {
    const out = new PassThrough();
    let written = "";
    out.on("data", (b: Buffer) => (written += b.toString()));
    const p = createProgress(true, out as unknown as NodeJS.WriteStream);
    p.update("upload", "big.bin", 5_000_000, 10_000_000);
    p.stop();
    expect(written).toBe("");
  });

  it("draw on a terminal, for payloads of 1 MiB or more only", () => {
    const out = Object.assign(new PassThrough(), { isTTY: true, columns: 100, cursorTo() {}, clearLine() {}, moveCursor() {} });
    let written = "";
    out.on("data", (b: Buffer) => (written += b.toString()));
    const p = createProgress(true, out as unknown as NodeJS.WriteStream);
    p.update("upload", "small.bin", 10, 1000);
    p.update("download", "big.bin", 5 * 1024 * 1024, 10 * 1024 * 1024);
    p.stop();
    expect(written).toContain("big.bin");
    expect(written).not.toContain("small.bin");
  });

  it("formats sizes", () => {
    expect([formatBytes(12), formatBytes(2048), formatBytes(5.5 * 1024 * 1024)]).toEqual(["12 B", "2.0 KiB", "5.5 MiB"]);
  });
});

describe("exit codes", () => {
  it("follow the error's stable code", () => {
    expect(exitCodeFor(new UsageError("x"))).toBe(ExitCodes.USAGE);
    expect(exitCodeFor(new ConnectionFailedError("x"))).toBe(ExitCodes.CONNECTION);
    expect(exitCodeFor(new SlowConsumerError("x"))).toBe(ExitCodes.CONNECTION);
    expect(exitCodeFor(new UploadFailedError("x"))).toBe(ExitCodes.UPLOAD);
    expect(exitCodeFor(new DownloadFailedError("x"))).toBe(ExitCodes.DOWNLOAD);
    expect(exitCodeFor(new RequestTimeoutError("x"))).toBe(ExitCodes.TIMEOUT);
    expect(exitCodeFor(new InvalidEnvelopeError("x"))).toBe(ExitCodes.INVALID_MESSAGE);
    expect(exitCodeFor(new Error("boom"))).toBe(ExitCodes.ERROR);
    expect(new Set(Object.values(ExitCodes)).size).toBe(Object.keys(ExitCodes).length);
  });
});
