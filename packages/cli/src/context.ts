// What every command gets: parsed flags, the resolved config, a bridge with
// the Arrow codecs and the configured store, and where to write.

import { type ParseArgsConfig, parseArgs } from "node:util";
import { arrowCodecs } from "@natsbridge/arrow";
import { type ClaimCheckStore, createBridge, type NatsBridge, type SmartReceiveOptions } from "@natsbridge/core";
import { type CliConfig, CONNECTION_FLAGS, type FlagValues, resolveConfig } from "./config.js";
import { UsageError } from "./exit-codes.js";
import { PAYLOAD_FLAGS, type PayloadArg, type PayloadFlag } from "./payloads.js";
import { createProgress, type Progress } from "./progress.js";
import { makeStore, receiveOptions } from "./stores.js";
import { type CommandTracing, startTracing } from "./tracing.js";

export interface Io {
  stdout: NodeJS.WritableStream & { isTTY?: boolean };
  stderr: NodeJS.WriteStream | (NodeJS.WritableStream & { isTTY?: boolean });
  env: NodeJS.ProcessEnv;
  cwd: string;
}

export interface ParsedCommand {
  values: FlagValues;
  positionals: string[];
  /** --text/--json/--file/--table in the order given. */
  payloadArgs: PayloadArg[];
}

type Options = NonNullable<ParseArgsConfig["options"]>;

export function parseCommand(argv: string[], options: Options): ParsedCommand {
  const { values, positionals, tokens } = parseArgs({
    args: argv,
    options: { ...CONNECTION_FLAGS, ...options },
    allowPositionals: true,
    strict: true,
    tokens: true,
  });
  const payloadArgs: PayloadArg[] = [];
  for (const t of tokens ?? []) {
    if (t.kind === "option" && Object.hasOwn(PAYLOAD_FLAGS, t.name) && options[t.name] === PAYLOAD_FLAGS[t.name as PayloadFlag]) {
      if (t.value === undefined) throw new UsageError(`--${t.name} needs a value`);
      payloadArgs.push({ flag: t.name as PayloadFlag, value: t.value });
    }
  }
  return { values: values as FlagValues, positionals, payloadArgs };
}

export class CommandContext {
  readonly config: CliConfig;
  readonly store: ClaimCheckStore | undefined;
  readonly bridge: NatsBridge;
  readonly json: boolean;
  readonly quiet: boolean;
  readonly progress: Progress;
  readonly receive: SmartReceiveOptions;
  readonly abort = new AbortController();
  /** With --trace: the tracer provider core's spans go to, and the trace id of each message. */
  readonly tracing: CommandTracing | undefined;

  static async create(parsed: ParsedCommand, io: Io): Promise<CommandContext> {
    const config = resolveConfig(parsed.values, io.env, io.cwd);
    const tracing = parsed.values.trace === true ? await startTracing(io.env) : undefined;
    return new CommandContext(parsed, io, config, await makeStore(config), tracing);
  }

  private constructor(
    readonly parsed: ParsedCommand,
    readonly io: Io,
    config: CliConfig,
    store: ClaimCheckStore | undefined,
    tracing: CommandTracing | undefined,
  ) {
    this.tracing = tracing;
    this.config = config;
    const output = parsed.values.output ?? "text";
    if (output !== "text" && output !== "json") throw new UsageError(`--output must be text or json, got '${String(output)}'`);
    // listen has no payload flags, so there --json can mean "-o json".
    this.json = output === "json" || parsed.values.json === true;
    this.quiet = parsed.values.quiet === true;
    this.store = store;
    this.receive = receiveOptions(this.config, this.store);
    this.progress = createProgress(!this.json && !this.quiet, io.stderr as NodeJS.WriteStream);
    this.bridge = createBridge({
      brokerUrl: this.config.natsUrl,
      fileserverUrl: this.config.fileserverUrl,
      sizeThreshold: this.config.sizeThreshold,
      codecs: arrowCodecs(),
      connectOptions: { name: "natsbridge-cli" },
      ...(this.config.senderName ? { senderName: this.config.senderName } : {}),
      ...(this.store ? { store: this.store } : {}),
    });
  }

  /** One line on stdout. */
  out(line: string): void {
    this.io.stdout.write(`${line}\n`);
  }

  /** Notes for people (never in the way of --json on stdout). */
  note(line: string): void {
    if (!this.quiet) this.io.stderr.write(`${line}\n`);
  }

  async close(): Promise<void> {
    this.progress.stop();
    await this.bridge.close();
    // Exports the spans still queued (send and receive spans end before this).
    await this.tracing?.shutdown();
  }
}

export function requireSubject(parsed: ParsedCommand, command: string): string {
  const [subject, ...extra] = parsed.positionals;
  if (!subject) throw new UsageError(`${command} needs a subject: natsbridge ${command} <subject>`);
  if (extra.length > 0) throw new UsageError(`unexpected argument(s): ${extra.join(" ")}`);
  return subject;
}

export function optionalInt(values: FlagValues, name: string, min = 1): number | undefined {
  const v = values[name];
  if (typeof v !== "string") return undefined;
  const n = Number(v);
  if (!Number.isSafeInteger(n) || n < min) throw new UsageError(`--${name} must be an integer ≥ ${min}, got '${v}'`);
  return n;
}
