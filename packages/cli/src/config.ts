// Settings come from, in order of precedence: flags, environment variables
// (the family's NATS_URL, FILESERVER_URL, SIZE_THRESHOLD, plus NATSBRIDGE_*),
// a JSON config file, and the references' defaults.

import { existsSync, readFileSync } from "node:fs";
import { resolve } from "node:path";
import { DEFAULT_BROKER_URL, DEFAULT_FILESERVER_URL, DEFAULT_SIZE_THRESHOLD } from "@natsbridge/core";
import { UsageError } from "./exit-codes.js";

export const STORE_KINDS = ["plik", "http", "s3", "none"] as const;
export type StoreKind = (typeof STORE_KINDS)[number];

export interface CliConfig {
  natsUrl: string;
  fileserverUrl: string;
  sizeThreshold: number;
  /** Where link payloads go. Default "plik", the file server every reference uses. */
  store: StoreKind;
  senderName: string | undefined;
  s3: { bucket?: string; endpoint?: string; region?: string; forcePathStyle?: boolean; keyPrefix?: string };
  plik: { token?: string; ttl?: number; oneShot?: boolean };
  /** Extra origins link downloads may use, besides the file server's and the store's. */
  allowedOrigins: string[];
  allowAnyHost: boolean;
  /** The file this came from, if any (shown by --help and in errors). */
  file: string | undefined;
}

/** The flags every command shares (node:util parseArgs option config). */
export const CONNECTION_FLAGS = {
  "nats-url": { type: "string", short: "s" },
  "fileserver-url": { type: "string" },
  "size-threshold": { type: "string" },
  store: { type: "string" },
  config: { type: "string", short: "c" },
  "sender-name": { type: "string" },
  "s3-bucket": { type: "string" },
  "s3-endpoint": { type: "string" },
  "s3-region": { type: "string" },
  "s3-prefix": { type: "string" },
  "s3-path-style": { type: "boolean" },
  "plik-token": { type: "string" },
  "plik-ttl": { type: "string" },
  "plik-keep": { type: "boolean" },
  "allow-origin": { type: "string", multiple: true },
  "allow-any-host": { type: "boolean" },
  output: { type: "string", short: "o" },
  quiet: { type: "boolean", short: "q" },
  /** OpenTelemetry tracing (tracing.ts): trace ids shown, spans exported to $OTEL_EXPORTER_OTLP_ENDPOINT. */
  trace: { type: "boolean" },
  help: { type: "boolean", short: "h" },
} as const;

export type FlagValues = Record<string, string | boolean | (string | boolean)[] | undefined>;

export const CONFIG_FILE_NAME = "natsbridge.config.json";

export function resolveConfig(flags: FlagValues, env: NodeJS.ProcessEnv = process.env, cwd = process.cwd()): CliConfig {
  const path = str(flags.config) ?? nonEmpty(env.NATSBRIDGE_CONFIG) ?? defaultConfigFile(cwd);
  const file = path ? readConfigFile(resolve(cwd, path)) : {};
  const where = path ? `config file ${path}` : "";

  const sizeText = str(flags["size-threshold"]) ?? nonEmpty(env.SIZE_THRESHOLD);
  const sizeThreshold =
    sizeText !== undefined
      ? positiveInt(sizeText, str(flags["size-threshold"]) ? "--size-threshold" : "SIZE_THRESHOLD")
      : (fileNumber(file, "sizeThreshold", where) ?? DEFAULT_SIZE_THRESHOLD);

  const store = str(flags.store) ?? nonEmpty(env.NATSBRIDGE_STORE) ?? fileString(file, "store", where) ?? "plik";
  if (!(STORE_KINDS as readonly string[]).includes(store)) {
    throw new UsageError(`unknown store '${store}' (expected one of ${STORE_KINDS.join(", ")})`);
  }
  const s3File = fileObject(file, "s3", where);
  const plikFile = fileObject(file, "plik", where);
  const plikTtl = str(flags["plik-ttl"]);

  const config: CliConfig = {
    natsUrl: str(flags["nats-url"]) ?? nonEmpty(env.NATS_URL) ?? fileString(file, "natsUrl", where) ?? DEFAULT_BROKER_URL,
    fileserverUrl:
      str(flags["fileserver-url"]) ?? nonEmpty(env.FILESERVER_URL) ?? fileString(file, "fileserverUrl", where) ?? DEFAULT_FILESERVER_URL,
    sizeThreshold,
    store: store as StoreKind,
    senderName: str(flags["sender-name"]) ?? fileString(file, "senderName", where),
    s3: clean({
      bucket: str(flags["s3-bucket"]) ?? nonEmpty(env.NATSBRIDGE_S3_BUCKET) ?? fileString(s3File, "bucket", where),
      endpoint: str(flags["s3-endpoint"]) ?? nonEmpty(env.NATSBRIDGE_S3_ENDPOINT) ?? fileString(s3File, "endpoint", where),
      region: str(flags["s3-region"]) ?? fileString(s3File, "region", where),
      keyPrefix: str(flags["s3-prefix"]) ?? fileString(s3File, "keyPrefix", where),
      forcePathStyle: flags["s3-path-style"] === true ? true : fileBoolean(s3File, "forcePathStyle", where),
    }),
    plik: clean({
      token: str(flags["plik-token"]) ?? nonEmpty(env.NATSBRIDGE_PLIK_TOKEN) ?? fileString(plikFile, "token", where),
      ttl: plikTtl !== undefined ? integer(plikTtl, "--plik-ttl") : fileNumber(plikFile, "ttl", where),
      oneShot: flags["plik-keep"] === true ? false : fileBoolean(plikFile, "oneShot", where),
    }),
    allowedOrigins: [...strings(flags["allow-origin"]), ...fileStrings(file, "allowedOrigins", where)],
    allowAnyHost: flags["allow-any-host"] === true || fileBoolean(file, "allowAnyHost", where) === true,
    file: path,
  };
  for (const [name, url] of [
    ["NATS URL", config.natsUrl],
    ["file server URL", config.fileserverUrl],
  ] as const) {
    if (name === "file server URL") checkUrl(url, name);
    else for (const one of url.split(",")) checkUrl(one.trim().includes("://") ? one.trim() : `nats://${one.trim()}`, name);
  }
  return config;
}

function defaultConfigFile(cwd: string): string | undefined {
  return existsSync(resolve(cwd, CONFIG_FILE_NAME)) ? CONFIG_FILE_NAME : undefined;
}

function readConfigFile(path: string): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (e) {
    throw new UsageError(`cannot read config file ${path}: ${(e as Error).message}`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (e) {
    throw new UsageError(`config file ${path} is not valid JSON: ${(e as Error).message}`);
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
    throw new UsageError(`config file ${path} must hold a JSON object`);
  }
  return parsed as Record<string, unknown>;
}

function checkUrl(url: string, name: string): void {
  try {
    new URL(url);
  } catch {
    throw new UsageError(`invalid ${name}: ${url}`);
  }
}

function positiveInt(text: string, name: string): number {
  const n = Number(text);
  if (!Number.isSafeInteger(n) || n <= 0) throw new UsageError(`${name} must be a positive integer, got '${text}'`);
  return n;
}

export function integer(text: string, name: string): number {
  const n = Number(text);
  if (text.trim() === "" || !Number.isSafeInteger(n)) throw new UsageError(`${name} must be an integer, got '${text}'`);
  return n;
}

const str = (v: unknown): string | undefined => (typeof v === "string" ? v : undefined);
const nonEmpty = (v: string | undefined): string | undefined => (v === undefined || v === "" ? undefined : v);
const strings = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === "string") : []);

function clean<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}

function fileValue(file: Record<string, unknown>, key: string, type: string, where: string): unknown {
  const v = file[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== type) throw new UsageError(`${where}: '${key}' must be a ${type}`);
  return v;
}
const fileString = (f: Record<string, unknown>, k: string, w: string) => fileValue(f, k, "string", w) as string | undefined;
const fileNumber = (f: Record<string, unknown>, k: string, w: string) => fileValue(f, k, "number", w) as number | undefined;
const fileBoolean = (f: Record<string, unknown>, k: string, w: string) => fileValue(f, k, "boolean", w) as boolean | undefined;
function fileObject(f: Record<string, unknown>, k: string, w: string): Record<string, unknown> {
  const v = fileValue(f, k, "object", w);
  if (Array.isArray(v)) throw new UsageError(`${w}: '${k}' must be an object`);
  return (v as Record<string, unknown> | undefined) ?? {};
}
function fileStrings(f: Record<string, unknown>, k: string, w: string): string[] {
  const v = f[k];
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v) || v.some((x) => typeof x !== "string")) throw new UsageError(`${w}: '${k}' must be an array of strings`);
  return v as string[];
}
