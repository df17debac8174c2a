// A claim-check store that writes blobs into a directory a web server already
// serves (a shared volume behind nginx, an NFS export behind a CDN...): the
// write path is the filesystem, the read path is HTTP. docs/write-your-own-store.md
// builds it step by step; tests/directory-store.integration.test.ts runs the
// shared store conformance suite against it with a real nginx.
import { createWriteStream } from "node:fs";
import { mkdir, rename, rm } from "node:fs/promises";
import { dirname, join, resolve, sep } from "node:path";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { AbortedError, DeleteFailedError, UploadFailedError } from "@natsbridge/core";
import { bodyChunks, type ClaimCheckPutRequest, type ClaimCheckStore, ownsOrigins, safeFileName } from "@natsbridge/core/store";

export interface DirectoryStoreOptions {
  /** Where blobs are written, e.g. /srv/www/claims. */
  directory: string;
  /** The URL that serves `directory`, e.g. https://files.example.com/claims. */
  publicUrl: string;
}

export function directoryStore(options: DirectoryStoreOptions): ClaimCheckStore {
  const base = options.publicUrl.replace(/\/+$/, "");
  const root = resolve(options.directory);
  const onOrigin = ownsOrigins([base]);
  const fileFor = (url: string) => {
    const pathname = new URL(url).pathname;
    if (!pathname.startsWith(new URL(`${base}/`).pathname)) return undefined;
    const path = resolve(root, decodeURIComponent(pathname).slice(new URL(`${base}/`).pathname.length));
    // Never touch anything outside the directory, whatever URL we are handed.
    return path.startsWith(`${root}${sep}`) ? path : undefined;
  };

  return {
    name: "directory",
    // Our URLs: below publicUrl (a receiver reads them with a plain GET; delete-after-consume deletes only these).
    owns: (url) => onOrigin(url) && fileFor(url) !== undefined,
    async put(req: ClaimCheckPutRequest) {
      // Unique per payload: the payload id is a fresh UUID for every payload of every message.
      const key = `${req.payloadId}/${safeFileName(req.dataname)}`;
      const file = join(options.directory, req.payloadId, safeFileName(req.dataname));
      const part = `${file}.part`;
      try {
        await mkdir(dirname(file), { recursive: true });
        let sent = 0;
        const counted = (async function* () {
          for await (const chunk of bodyChunks(req.body)) {
            if (req.signal?.aborted) throw new AbortedError("upload aborted");
            yield chunk;
            sent += chunk.byteLength;
            req.onProgress?.(sent, req.size);
          }
        })();
        // Written to a .part file and renamed: a reader never sees half a blob.
        await pipeline(Readable.from(counted), createWriteStream(part), req.signal ? { signal: req.signal } : {});
        await rename(part, file);
      } catch (cause) {
        // Best effort: the same fault that broke the write may break this (the suite's failing case found it).
        await rm(part, { force: true }).catch(() => undefined);
        if (req.signal?.aborted) throw new AbortedError("upload aborted", { cause, correlationId: req.correlationId });
        throw new UploadFailedError(`directory store: cannot write ${file}: ${(cause as Error).message}`, {
          cause,
          correlationId: req.correlationId,
          dataname: req.dataname,
        });
      }
      return { url: `${base}/${key.split("/").map(encodeURIComponent).join("/")}` };
    },
    async delete(url: string) {
      const file = fileFor(url);
      if (!file) return;
      try {
        await rm(file, { force: true });
      } catch (cause) {
        throw new DeleteFailedError(`directory store: cannot delete ${file}: ${(cause as Error).message}`, { cause });
      }
    },
  };
}
