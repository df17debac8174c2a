// The references' `plik_oneshot_upload` / `plikOneshotUpload` as a handler with
// their exact signature and answer, for code ported from Julia, Python or the
// JS reference: `smartsend(subject, data, { uploadHandler: plikOneshotUpload })`.
// New code should prefer `plikStore()`, which streams and can clean up.

import { safeFileName, type UploadHandler } from "@natsbridge/core/store";
import { addFile, createUpload, fileUrl, type PlikConnection, PlikHttpError } from "./client.js";
import type { PlikHttp } from "./http.js";

export interface PlikHandlerResult {
  [key: string]: unknown;
  /** HTTP status of the file upload (200 on success), or of the step that failed. */
  status: number;
  uploadid: string;
  fileid: string;
  /** `${fileserverUrl}/file/${uploadid}/${fileid}/${name}`, or "" when the upload failed. */
  url: string;
}

/**
 * `(fileserverUrl, dataname, bytes) → { status, uploadid, fileid, url }`: a
 * one-shot Plik upload, exactly what the references do. Non-200 answers come
 * back as `status` (smartsend then fails with UPLOAD_FAILED); network errors throw.
 * Each entry point binds it to its PlikHttp.
 */
export const oneshotUploadWith = (http: PlikHttp) =>
  async function plikOneshotUpload(fileserverUrl: string, dataname: string, data: Uint8Array): Promise<PlikHandlerResult> {
    const connection: PlikConnection = { baseUrl: fileserverUrl.replace(/\/+$/, ""), timeout: 300_000, http };
    let uploadid = "";
    try {
      const upload = await createUpload(connection, { oneShot: true });
      uploadid = upload.id;
      const file = await addFile(connection, upload, {
        fileName: safeFileName(dataname),
        chunks: (async function* () {
          yield data;
        })(),
        size: data.byteLength,
      });
      return { status: 200, uploadid, fileid: file.id, url: fileUrl(connection.baseUrl, upload.id, file.id, file.fileName) };
    } catch (error) {
      if (error instanceof PlikHttpError) return { status: error.status, uploadid, fileid: "", url: "" };
      throw error;
    }
  } satisfies UploadHandler; // a signature drift from core's UploadHandler fails the build
