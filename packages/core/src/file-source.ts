// A file on disk as payload data (Node only): opened when the payload is
// uploaded, read in 1 MiB chunks, never held in memory whole.

import { createReadStream } from "node:fs";
import { stat } from "node:fs/promises";
import { InvalidDataError } from "@natsbridge/envelope";
import { BYTE_SOURCE, type ByteSource } from "./source.js";

export interface FileSourceOptions {
  /** Read size in bytes. Default 1 MiB. */
  chunkSize?: number;
}

/**
 * Payload data read from a file, for image/audio/video/binary payloads:
 * `smartsend(subject, [["video", fileSource("/data/clip.mp4"), "video"]], { store })`.
 * The size comes from the file; the SHA-256 is computed while uploading.
 */
export function fileSource(path: string, options: FileSourceOptions = {}): ByteSource {
  const highWaterMark = options.chunkSize ?? 1024 * 1024;
  const fileSize = async (): Promise<number> => {
    try {
      const s = await stat(path);
      if (!s.isFile()) throw new Error("not a regular file");
      return s.size;
    } catch (cause) {
      // ENOENT, EACCES...: the system's code stays in the message and in details.
      const code = (cause as { code?: unknown })?.code;
      throw new InvalidDataError(`cannot read payload file ${path}: ${String((cause as Error)?.message ?? cause)}`, {
        cause,
        details: { path, ...(typeof code === "string" ? { errno: code } : {}) },
      });
    }
  };
  return {
    [BYTE_SOURCE]: true,
    description: `file ${path}`,
    stat: async () => ({ size: await fileSize() }),
    async open(signal) {
      const size = await fileSize();
      return { size, chunks: createReadStream(path, { highWaterMark, ...(signal ? { signal } : {}) }) };
    },
  };
}
