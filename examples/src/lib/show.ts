// Prints a received payload in one line, whatever its type.
import { isArrowTable } from "@natsbridge/arrow";
import { PayloadStream } from "@natsbridge/core";

export function describeValue(value: unknown): string {
  if (value instanceof Uint8Array) return `${value.byteLength} bytes`;
  if (value instanceof PayloadStream) return `a stream of ${value.size ?? "?"} bytes`;
  if (isArrowTable(value)) return `a table of ${value.numRows} rows (${value.schema.fields.map((f) => f.name).join(", ")})`;
  const json = JSON.stringify(value);
  return json.length > 80 ? `${json.slice(0, 79)}…` : json;
}

/** Rejects after `ms`, so an example never hangs when a peer is missing. */
export function deadline(ms: number, what: string): Promise<never> {
  return new Promise((_, reject) => {
    setTimeout(() => reject(new Error(`${what}: nothing within ${ms / 1000} s`)), ms).unref();
  });
}
