// Object keys. The default groups a message's blobs under its correlation id
// and msg id, so one prefix holds one conversation and a lifecycle rule on the
// store's prefix expires them all.

import type { ClaimCheckPutRequest } from "@natsbridge/core/store";

const MAX_SEGMENT = 200;

/**
 * One key segment made safe for every S3 implementation and for file-system
 * backends: only letters, digits, `.`, `_` and `-`; never empty, `.` or `..`.
 */
export function keySegment(text: string): string {
  const safe = String(text)
    .replace(/[^A-Za-z0-9._-]/g, "_")
    .slice(0, MAX_SEGMENT);
  return safe === "" || safe === "." || safe === ".." ? "_" : safe;
}

/** "a/b/" → "a/b"; "" stays "". */
export function normalizePrefix(prefix: string): string {
  return prefix.replace(/^\/+|\/+$/g, "");
}

/** `<prefix>/<correlation_id>/<msg_id>/<payload id>-<dataname>` */
export function defaultObjectKey(request: ClaimCheckPutRequest, prefix: string): string {
  const parts = [keySegment(request.correlationId), keySegment(request.msgId), keySegment(`${request.payloadId}-${request.dataname}`)];
  return (prefix ? [prefix, ...parts] : parts).join("/");
}
