// A multipart/form-data body with one file part, produced as a stream: the
// preamble, the file's chunks as they come, the closing boundary. When the
// file size is known the exact Content-Length is known too, so the upload is
// not chunked and never buffered.

import { randomBytes } from "node:crypto";

export interface MultipartFile {
  /** Form field name; Plik reads the part named "file". */
  field: string;
  /** File name as Plik will record it. */
  filename: string;
  contentType: string;
  chunks: AsyncIterable<Uint8Array>;
  /** Byte size of the file, when known. */
  size: number | undefined;
}

export interface MultipartBody {
  contentType: string;
  /** Total body length, when the file size is known. */
  length: number | undefined;
  body: AsyncIterable<Uint8Array>;
}

const encoder = new TextEncoder();

export function multipartBody(file: MultipartFile): MultipartBody {
  const boundary = `----natsbridge${randomBytes(12).toString("hex")}`;
  const head = encoder.encode(
    `--${boundary}\r\n` +
      `Content-Disposition: form-data; name="${quote(file.field)}"; filename="${quote(file.filename)}"\r\n` +
      `Content-Type: ${file.contentType}\r\n\r\n`,
  );
  const tail = encoder.encode(`\r\n--${boundary}--\r\n`);
  return {
    contentType: `multipart/form-data; boundary=${boundary}`,
    length: file.size === undefined ? undefined : head.byteLength + file.size + tail.byteLength,
    body: (async function* () {
      yield head;
      yield* file.chunks;
      yield tail;
    })(),
  };
}

/**
 * Quoted-string content for a Content-Disposition parameter. Browsers send `"`
 * as %22 and keep other characters (UTF-8 included) as they are; Go's
 * multipart reader, which Plik uses, reads that back unchanged.
 */
function quote(value: string): string {
  return value.replace(/"/g, "%22").replace(/[\r\n]/g, " ");
}
