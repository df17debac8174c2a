// The browser entry bundled the way a web app's bundler would (esbuild,
// platform=browser, minified): nothing Node-only may get in, and its size is
// measured (docs/browser.md quotes the figures printed here).

import { gzipSync } from "node:zlib";
import { fileURLToPath } from "node:url";
import { build, type Metafile } from "esbuild";
import { describe, expect, it } from "vitest";

const entry = fileURLToPath(new URL("../src/browser.ts", import.meta.url));

/** Globals a browser does not have: any free reference to them fails the test. */
const FORBIDDEN_GLOBALS = ["Buffer", "process", "__dirname", "__filename"];

async function bundle(extra: { external?: string[] } = {}) {
  const result = await build({
    entryPoints: [entry],
    bundle: true,
    minify: true,
    format: "esm",
    platform: "browser",
    target: "es2022",
    // Workspace packages from their TypeScript sources, as in the tests.
    conditions: ["source"],
    // nats.ws (a Deno bundle) carries tweetnacl, whose PRNG falls back to
    // require("crypto") when globalThis.crypto is missing; browsers never get there.
    external: ["crypto", ...(extra.external ?? [])],
    // A free reference to a forbidden global becomes a marker we can find.
    define: Object.fromEntries(FORBIDDEN_GLOBALS.map((g) => [g, `__NB_FORBIDDEN_${g}`])),
    metafile: true,
    write: false,
    logLevel: "silent",
  });
  const code = result.outputFiles[0]!.text;
  return { code, metafile: result.metafile, minified: Buffer.byteLength(code), gzip: gzipSync(code, { level: 9 }).byteLength };
}

/** Output bytes by source: each npm package, and our two packages. */
function bytesBySource(metafile: Metafile): Record<string, number> {
  const out: Record<string, number> = {};
  for (const output of Object.values(metafile.outputs)) {
    for (const [path, { bytesInOutput }] of Object.entries(output.inputs)) {
      const pkg = /.*node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(path)?.[1] ?? (path.includes("envelope/src") ? "@natsbridge/envelope" : "@natsbridge/core");
      out[pkg] = (out[pkg] ?? 0) + bytesInOutput;
    }
  }
  return out;
}

describe("browser bundle of @natsbridge/core", () => {
  it("has no node: imports, no Node-only modules and no Buffer/process globals", async () => {
    const { code, metafile } = await bundle();
    const inputs = Object.keys(metafile.inputs);
    const imports = Object.values(metafile.inputs).flatMap((i) => i.imports);
    expect(imports.filter((i) => i.path.startsWith("node:")).map((i) => i.path)).toEqual([]);
    expect(new Set(imports.filter((i) => i.external && i.path !== "<runtime>").map((i) => i.path))).toEqual(new Set(["crypto"]));
    for (const nodeOnly of [/\/platform\/node\.ts$/, /\/http-store\.ts$/, /\/file-source\.ts$/, /node_modules\/undici\//, /node_modules\/nats\//]) {
      expect(inputs.filter((p) => nodeOnly.test(p))).toEqual([]);
    }
    expect(inputs.some((p) => p.includes("node_modules/nats.ws/"))).toBe(true);
    expect(code.match(/__NB_FORBIDDEN_\w+/g) ?? []).toEqual([]);
  });

  it("measures core + envelope (minified + gzip)", async () => {
    const all = await bundle();
    const own = await bundle({ external: ["nats.ws", "pino"] });
    const by = bytesBySource(all.metafile);
    const kb = (n: number) => `${(n / 1024).toFixed(1)} KB`;
    console.log(
      [
        `browser bundle (esbuild --bundle --minify --platform=browser, gzip -9):`,
        `  core + envelope + nats.ws + pino: ${kb(all.minified)} minified, ${kb(all.gzip)} gzip`,
        `  core + envelope alone (nats.ws, pino external): ${kb(own.minified)} minified, ${kb(own.gzip)} gzip`,
        `  minified bytes by source: ${Object.entries(by)
          .sort((a, b) => b[1] - a[1])
          .map(([k, v]) => `${k} ${kb(v)}`)
          .join(", ")}`,
      ].join("\n"),
    );
    // Our own code stays small; nats.ws is what the whole weighs (docs/browser.md).
    expect(own.gzip).toBeLessThan(60 * 1024);
    expect(all.gzip).toBeLessThan(90 * 1024);
  });
});
