// Payloads from the command line, in the order given: --text, --json,
// --file path[:type] and --table path[:type], each repeatable, all in one
// message. Files that must go by link are streamed from disk, never read whole.

import { existsSync, readFileSync, statSync } from "node:fs";
import { basename, extname } from "node:path";
import { decodeArrowTable } from "@natsbridge/arrow";
import { fileSource, type JsonValue, type SendPayload } from "@natsbridge/core";
import { STREAMABLE_TYPES } from "@natsbridge/core/store";
import { readCsvRows } from "./csv.js";
import { UsageError } from "./exit-codes.js";

export const PAYLOAD_FLAGS = {
  text: { type: "string", short: "t", multiple: true },
  json: { type: "string", short: "j", multiple: true },
  file: { type: "string", short: "f", multiple: true },
  table: { type: "string", multiple: true },
} as const;

export type PayloadFlag = keyof typeof PAYLOAD_FLAGS;
export interface PayloadArg {
  flag: PayloadFlag;
  value: string;
}

const KNOWN_TYPES = new Set(["text", "dictionary", "jsontable", "arrowtable", "table", "image", "audio", "video", "binary"]);
const TABLE_TYPES = new Set(["arrowtable", "table", "jsontable"]);

const TYPE_BY_EXTENSION: Record<string, string> = {
  ".txt": "text",
  ".md": "text",
  ".log": "text",
  ".json": "dictionary",
  ".csv": "arrowtable",
  ".arrow": "arrowtable",
  ".arrows": "arrowtable",
  ".feather": "arrowtable",
  ".png": "image",
  ".jpg": "image",
  ".jpeg": "image",
  ".gif": "image",
  ".webp": "image",
  ".bmp": "image",
  ".svg": "image",
  ".wav": "audio",
  ".mp3": "audio",
  ".ogg": "audio",
  ".flac": "audio",
  ".m4a": "audio",
  ".aac": "audio",
  ".mp4": "video",
  ".webm": "video",
  ".mov": "video",
  ".mkv": "video",
  ".avi": "video",
};

export interface BuildOptions {
  /** Files at least this large are streamed from disk (they go by link anyway). */
  sizeThreshold: number;
  alwaysLink: boolean;
}

export function buildPayloads(args: readonly PayloadArg[], options: BuildOptions): SendPayload[] {
  const names = new Set<string>();
  const unique = (name: string) => {
    let candidate = name;
    for (let i = 2; names.has(candidate); i++) candidate = `${name}_${i}`;
    names.add(candidate);
    return candidate;
  };
  return args.map(({ flag, value }): SendPayload => {
    switch (flag) {
      case "text":
        return [unique("text"), value, "text"];
      case "json":
        return [unique("json"), parseJson(value) as JsonValue, "dictionary"];
      case "file":
        return fileTuple(value, unique, options, undefined);
      case "table":
        return fileTuple(value, unique, options, "arrowtable");
      default:
        throw new UsageError(`unknown payload flag --${String(flag)}`);
    }
  });
}

/** `path` or `path:type`; a `:` that is not followed by a known type belongs to the path. */
export function splitTypedPath(spec: string): { path: string; type: string | undefined } {
  const at = spec.lastIndexOf(":");
  if (at > 0 && KNOWN_TYPES.has(spec.slice(at + 1))) return { path: spec.slice(0, at), type: spec.slice(at + 1) };
  return { path: spec, type: undefined };
}

function fileTuple(spec: string, unique: (n: string) => string, options: BuildOptions, tableDefault: string | undefined): SendPayload {
  // The type comes from the command line: checked at run time (unknown types are usage errors).
  const tuple = (name: string, value: unknown, type: string) => [name, value, type] as SendPayload;
  const { path, type: given } = splitTypedPath(spec);
  checkTypeSuffix(spec, given, tableDefault ? "--table" : "--file");
  const ext = extname(path).toLowerCase();
  const type = given ?? tableDefault ?? TYPE_BY_EXTENSION[ext] ?? "binary";
  if (tableDefault && !TABLE_TYPES.has(type)) throw new UsageError(`--table ${spec}: type must be arrowtable, table or jsontable`);
  let size: number;
  try {
    const s = statSync(path);
    if (!s.isFile()) throw new Error("not a regular file");
    size = s.size;
  } catch (e) {
    throw new UsageError(`cannot read ${path}: ${(e as Error).message}`);
  }
  const name = basename(path);
  if (STREAMABLE_TYPES.has(type)) {
    // Large files go by link: stream them to the store rather than load them.
    if (size >= options.sizeThreshold || options.alwaysLink) return tuple(unique(name), fileSource(path), type);
    return tuple(unique(name), new Uint8Array(readFileSync(path)), type);
  }
  if (TABLE_TYPES.has(type)) return tuple(unique(tableName(name, ext)), readTable(path, ext, type), type);
  const text = readFileSync(path, "utf8");
  if (type === "text") return tuple(unique(name), text, type);
  return tuple(unique(name), parseJson(text, path), type);
}

/**
 * `photo.png:imgae`: a `:word` suffix that is no known type, on a path that
 * does not exist as written, is a mistyped type, not part of the file name.
 */
function checkTypeSuffix(spec: string, given: string | undefined, flag: string): void {
  if (given !== undefined) return;
  const suffix = /:([A-Za-z]+)$/.exec(spec)?.[1];
  if (suffix && !existsSync(spec)) {
    throw new UsageError(`${flag} ${spec}: unknown payload type '${suffix}' (known: ${[...KNOWN_TYPES].join(", ")})`);
  }
}

function tableName(name: string, ext: string): string {
  return ext ? name.slice(0, -ext.length) : name;
}

function readTable(path: string, ext: string, type: string): unknown {
  if (ext === ".csv") return readCsvRows(readFileSync(path, "utf8"), path);
  if (ext === ".json") {
    const rows = parseJson(readFileSync(path, "utf8"), path);
    if (!Array.isArray(rows)) throw new UsageError(`${path}: a JSON table must be an array of row objects`);
    return rows;
  }
  if (type === "jsontable") throw new UsageError(`${path}: a jsontable comes from a .csv or .json file`);
  // Arrow IPC, file or stream format.
  try {
    return decodeArrowTable(new Uint8Array(readFileSync(path)));
  } catch (e) {
    throw new UsageError(`${path} is not an Arrow IPC file: ${(e as Error).message}`);
  }
}

/** JSON text, or `@file.json` for a file's content. */
function parseJson(text: string, source?: string): unknown {
  let json = text;
  let from = source ?? "--json";
  if (!source && text.startsWith("@")) {
    from = text.slice(1);
    try {
      json = readFileSync(from, "utf8");
    } catch (e) {
      throw new UsageError(`cannot read ${from}: ${(e as Error).message}`);
    }
  }
  try {
    return JSON.parse(json);
  } catch (e) {
    throw new UsageError(`${from} is not valid JSON: ${(e as Error).message}`);
  }
}
