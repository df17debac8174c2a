// The natsbridge command: dispatches to a subcommand and turns every failure
// into a message and an exit code (exit-codes.ts). Never throws.

import { readFileSync } from "node:fs";
import { conformance } from "./commands/conformance.js";
import { listen } from "./commands/listen.js";
import { describeError } from "./commands/receive.js";
import { request } from "./commands/request.js";
import { respond } from "./commands/respond.js";
import { send } from "./commands/send.js";
import { CONFIG_FILE_NAME } from "./config.js";
import type { Io } from "./context.js";
import { ExitCodes, exitCodeFor } from "./exit-codes.js";

export const USAGE = `natsbridge — NATSBridge messages from a terminal

Usage:
  natsbridge send <subject> [payloads] [options]      one message with every payload given
  natsbridge listen <subject> [options]               print each message (--save DIR writes payloads)
  natsbridge request <subject> [payloads] [options]   send with a reply_to and print the reply
  natsbridge respond <subject> [payloads] [options]   answer requests (echo when no payloads are given)
  natsbridge conformance [-- suite options]           the cross-language conformance suite (in a checkout)

Payloads (repeatable, kept in order):
  -t, --text TEXT              a text payload
  -j, --json JSON|@file.json   a dictionary payload
  -f, --file PATH[:TYPE]       a file; TYPE from the extension, else binary (image, audio, video, binary,
                               text, dictionary, ...). Large files stream to the store by link.
      --table PATH[:TYPE]      a .csv, .json (rows) or .arrow file as arrowtable (or :table for Python, :jsontable)

Options:
  -s, --nats-url URL           NATS server(s)            [$NATS_URL, else nats://localhost:4222]
      --fileserver-url URL     file server for links     [$FILESERVER_URL, else http://localhost:8080]
      --store KIND             plik | http | s3 | none   [$NATSBRIDGE_STORE, else plik]
      --size-threshold BYTES   payloads this large go by link [$SIZE_THRESHOLD, else 500000]
      --always-link            send every payload by link
      --s3-bucket, --s3-endpoint, --s3-region, --s3-prefix, --s3-path-style   (--store s3)
      --plik-token TOKEN, --plik-ttl SECONDS, --plik-keep (not one-shot)       (--store plik)
      --allow-origin URL       also download links from this origin (repeatable)
      --allow-any-host         download links from any http(s) host
      --sender-name, --purpose, --reply-to, --correlation-id   envelope fields (send, request)
      --save DIR               write received payloads to DIR/<msg_id>/ (listen, request)
  -n, --count N                stop after N messages (listen, respond)
      --timeout MS             request: wait this long for the reply [30000]; listen: stop after MS
      --queue GROUP            queue group (listen, respond)
  -o, --output json            one JSON object per line on stdout, for scripts (listen: also --json)
  -q, --quiet                  no notes or progress bars on stderr
      --trace                  OpenTelemetry tracing: show each message's trace id; spans go to
                               $OTEL_EXPORTER_OTLP_ENDPOINT (OTLP/HTTP) when it is set
  -c, --config FILE            JSON config file [$NATSBRIDGE_CONFIG, else ./${CONFIG_FILE_NAME} if present]
  -h, --help, --version

Exit codes: 0 ok, 1 other error, 2 usage, 3 connection, 4 upload, 5 download,
6 timeout, 7 invalid message, 130 interrupted.
`;

const COMMANDS: Record<string, (argv: string[], io: Io) => Promise<number>> = { send, listen, request, respond, conformance };

export function defaultIo(): Io {
  return { stdout: process.stdout, stderr: process.stderr, env: process.env, cwd: process.cwd() };
}

/** Runs the CLI; resolves with the exit code. */
export async function main(argv: string[], io: Io = defaultIo()): Promise<number> {
  const [command, ...rest] = argv;
  if (command === undefined || command === "help" || command === "--help" || command === "-h") {
    (command === undefined ? io.stderr : io.stdout).write(USAGE);
    return command === undefined ? ExitCodes.USAGE : ExitCodes.OK;
  }
  if (command === "--version" || command === "-v") {
    io.stdout.write(`${version()}\n`);
    return ExitCodes.OK;
  }
  const run = COMMANDS[command];
  if (!run) {
    io.stderr.write(`natsbridge: unknown command '${command}'\n\n${USAGE}`);
    return ExitCodes.USAGE;
  }
  if (command !== "conformance" && (rest.includes("--help") || rest.includes("-h"))) {
    io.stdout.write(USAGE);
    return ExitCodes.OK;
  }
  try {
    return await run(rest, io);
  } catch (error) {
    const code = exitCodeFor(error);
    const e = describeError(error);
    if (wantsJson(command, rest)) io.stderr.write(`${JSON.stringify({ error: { ...e, exit_code: code } })}\n`);
    else io.stderr.write(`natsbridge ${command}: ${code === ExitCodes.USAGE ? "" : `${e.code}: `}${e.message}\n`);
    if (code === ExitCodes.ERROR && !(error as { code?: unknown })?.code && error instanceof Error && error.stack) {
      io.stderr.write(`${error.stack}\n`);
    }
    return code;
  }
}

/** -o json / --output json / --output=json, and --json for listen (elsewhere --json is a payload). */
function wantsJson(command: string, argv: string[]): boolean {
  return argv.some(
    (a, i) =>
      ((a === "-o" || a === "--output") && argv[i + 1] === "json") ||
      a === "--output=json" ||
      a === "-ojson" ||
      (command === "listen" && a === "--json"),
  );
}

function version(): string {
  const pkg = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as { version: string };
  return pkg.version;
}
