// `pnpm example <name> [args]`: runs one example with the servers it needs.
// Servers you already run are used as they are (NATS_URL, FILESERVER_URL,
// S3_BUCKET set); the missing ones are started on free loopback ports through
// the test harness (nats-server, nginx WebDAV, versitygw) and stopped after.
//
//   pnpm example chat | request-reply | table-python | large-file-s3 | large-file-plik [file]
//   node --import tsx examples/run.ts --servers nats,nginx,s3 -- <command…>
//     (any command, with NATS_URL, FILESERVER_URL and the S3_* / AWS_* variables set;
//      scripts/pack-check.sh runs the packed examples this way)
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { CreateBucketCommand, S3Client } from "@aws-sdk/client-s3";
import { findPython, startNatsServer, startNginxDav, startVersityGw } from "@natsbridge/test-harness";

// "plik-standin" is the Plik-compatible test server of @natsbridge/test-harness
// (no real Plik can be installed here): for checks only, never for `pnpm example`.
type Server = "nats" | "nginx" | "s3" | "python" | "plik-standin";
const EXAMPLES: Record<string, Server[]> = {
  chat: ["nats", "nginx"],
  "request-reply": ["nats"],
  "table-python": ["nats", "python"],
  "large-file-s3": ["nats", "s3"],
  "large-file-plik": ["nats"],
};
const HERE = fileURLToPath(new URL(".", import.meta.url));

// The AWS SDK warns that its 2027 releases need Node 22; Node 20 is our floor on purpose.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";

async function main(argv: string[]): Promise<number> {
  let servers: Server[];
  let command: string[];
  if (argv[0] === "--servers") {
    servers = (argv[1] ?? "").split(",").filter(Boolean) as Server[];
    command = argv.slice(argv[2] === "--" ? 3 : 2);
  } else {
    const [name, ...rest] = argv;
    if (!name || !EXAMPLES[name]) {
      console.error(`usage: pnpm example <${Object.keys(EXAMPLES).join(" | ")}> [args]`);
      return 2;
    }
    if (name === "large-file-plik" && !process.env.FILESERVER_URL) {
      console.error(
        "large-file-plik needs a Plik server, which this runner cannot start (no Plik binary is packaged for it):\n" +
          "  docker run -p 8080:8080 rootgg/plik\n  FILESERVER_URL=http://127.0.0.1:8080 pnpm example large-file-plik",
      );
      return 2;
    }
    servers = EXAMPLES[name]!;
    command = [process.execPath, "--import", "tsx", `src/${name}.ts`, ...rest];
  }
  if (command.length === 0) {
    console.error("nothing to run after --servers LIST --");
    return 2;
  }

  const env: NodeJS.ProcessEnv = { ...process.env };
  const stops: (() => Promise<void>)[] = [];
  try {
    if (servers.includes("nats") && !env.NATS_URL) {
      const nats = await startNatsServer();
      stops.push(() => nats.dispose());
      env.NATS_URL = nats.url;
    }
    if (servers.includes("nginx") && !env.FILESERVER_URL) {
      const dav = await startNginxDav();
      stops.push(() => dav.dispose());
      env.FILESERVER_URL = dav.url;
    }
    if (servers.includes("s3") && !env.S3_BUCKET) {
      const gw = await startVersityGw();
      stops.push(() => gw.stop());
      Object.assign(env, {
        S3_ENDPOINT: gw.endpoint,
        S3_BUCKET: "natsbridge-examples",
        AWS_ACCESS_KEY_ID: gw.accessKeyId,
        AWS_SECRET_ACCESS_KEY: gw.secretAccessKey,
        AWS_REGION: gw.region,
      });
      const client = new S3Client({
        endpoint: gw.endpoint,
        region: gw.region,
        forcePathStyle: true,
        credentials: { accessKeyId: gw.accessKeyId, secretAccessKey: gw.secretAccessKey },
      });
      await client.send(new CreateBucketCommand({ Bucket: "natsbridge-examples" })).finally(() => client.destroy());
    }
    if (servers.includes("python") && !env.PYTHON) env.PYTHON = findPython();
    if (servers.includes("plik-standin")) {
      const { startPlikCompatible } = await import("@natsbridge/test-harness");
      const plik = await startPlikCompatible();
      stops.push(() => plik.close());
      env.PLIK_STANDIN_URL = plik.url;
    }
    for (const [k, v] of Object.entries(env)) {
      if (/^(NATS_URL|FILESERVER_URL|S3_ENDPOINT|S3_BUCKET)$/.test(k) && v !== process.env[k]) console.error(`example: ${k}=${v}`);
    }
    const child = spawn(command[0]!, command.slice(1), { cwd: argv[0] === "--servers" ? process.cwd() : HERE, env, stdio: "inherit" });
    const forward = (signal: NodeJS.Signals) => child.kill(signal);
    process.on("SIGINT", forward);
    process.on("SIGTERM", forward);
    return await new Promise<number>((resolve) => {
      child.once("error", (e) => {
        console.error(`cannot run ${command[0]}: ${e.message}`);
        resolve(127);
      });
      child.once("exit", (code, signal) => resolve(signal ? 128 + 2 : (code ?? 1)));
    });
  } finally {
    for (const stop of stops.reverse()) await stop().catch(() => undefined);
  }
}

process.exitCode = await main(process.argv.slice(2));
