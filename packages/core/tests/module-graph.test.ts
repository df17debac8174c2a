// The shape of core's source that issue #14 asks for, checked on the files
// themselves: no import cycles (static, type-only and dynamic imports alike),
// a thin facade, small modules on the send and receive paths, and no
// module-level maps carrying data from one step to the next.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

const srcDir = join(import.meta.dirname, "..", "src");

function sources(): Map<string, string> {
  const files = new Map<string, string>();
  const walk = (dir: string, prefix: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      if (entry.isDirectory()) walk(join(dir, entry.name), `${prefix}${entry.name}/`);
      else if (entry.name.endsWith(".ts")) files.set(`${prefix}${entry.name}`, readFileSync(join(dir, entry.name), "utf8"));
    }
  };
  walk(srcDir, "");
  return files;
}

/** Relative imports of a module, as paths under src/ (`./x.js` → `x.ts`). */
function localImports(file: string, text: string): string[] {
  const dir = file.includes("/") ? file.slice(0, file.lastIndexOf("/") + 1) : "";
  const specifiers = [...text.matchAll(/(?:from\s+|import\s*\(\s*|import\s+)"(\.{1,2}\/[^"]+)"/g)].map((m) => m[1]!);
  return specifiers.map((specifier) => {
    const parts = `${dir}${specifier}`.split("/");
    const resolved: string[] = [];
    for (const part of parts) {
      if (part === "." || part === "") continue;
      if (part === "..") resolved.pop();
      else resolved.push(part);
    }
    return resolved.join("/").replace(/\.js$/, ".ts");
  });
}

function findCycle(graph: Map<string, string[]>): string[] | undefined {
  const state = new Map<string, "open" | "done">();
  const stack: string[] = [];
  const visit = (node: string): string[] | undefined => {
    if (state.get(node) === "done") return undefined;
    if (state.get(node) === "open") return [...stack.slice(stack.indexOf(node)), node];
    state.set(node, "open");
    stack.push(node);
    for (const next of graph.get(node) ?? []) {
      const cycle = visit(next);
      if (cycle) return cycle;
    }
    stack.pop();
    state.set(node, "done");
    return undefined;
  };
  for (const node of graph.keys()) {
    const cycle = visit(node);
    if (cycle) return cycle;
  }
  return undefined;
}

const lineCount = (text: string) => text.split("\n").length - (text.endsWith("\n") ? 1 : 0);

describe("core's module graph", () => {
  const files = sources();

  it("resolves every relative import to a module in src/", () => {
    for (const [file, text] of files) {
      for (const target of localImports(file, text)) expect(files.has(target), `${file} imports ${target}`).toBe(true);
    }
  });

  it("has no import cycles, counting type-only and dynamic imports", () => {
    const graph = new Map([...files].map(([file, text]) => [file, localImports(file, text)]));
    expect(findCycle(graph)).toBeUndefined();
  });

  it("finds a cycle when there is one (the check itself)", () => {
    const graph = new Map([
      ["a.ts", ["b.ts"]],
      ["b.ts", ["c.ts"]],
      ["c.ts", ["a.ts"]],
    ]);
    expect(findCycle(graph)).toEqual(["a.ts", "b.ts", "c.ts", "a.ts"]);
  });

  it("keeps the NatsBridge facade under 200 lines", () => {
    expect(lineCount(files.get("bridge.ts")!)).toBeLessThan(200);
  });

  // The modules a message passes through on its way out and in.
  const pathModules = [
    "send.ts",
    "send-serialize.ts",
    "send-upload.ts",
    "upload.ts",
    "publish.ts",
    "receive.ts",
    "receive-fetch.ts",
    "platform/body-worker.ts",
    "platform/body-worker-thread.ts",
    "verify.ts",
    "link-reader.ts",
    "store-read.ts",
    "download.ts",
    "body-buffer.ts",
    "subscribe.ts",
    "request.ts",
    "reply.ts",
    "jetstream.ts",
    "jetstream-api.ts",
    "jetstream-types.ts",
    "jetstream-publish.ts",
    "jetstream-consume.ts",
    "telemetry.ts",
    "telemetry-otel.ts",
    "telemetry-otel-send.ts",
    "telemetry-otel-receive.ts",
    "telemetry-otel-terms.ts",
  ];

  it.each(pathModules)("keeps %s at 250 lines or fewer", (file) => {
    expect(files.has(file), `${file} exists`).toBe(true);
    expect(lineCount(files.get(file)!)).toBeLessThanOrEqual(250);
  });

  it("has none of the old side maps", () => {
    for (const [file, text] of files) {
      for (const name of ["knownBase64", "PREDECODED", "downloadedDigests"]) {
        expect(text.includes(name), `${file} mentions ${name}`).toBe(false);
      }
    }
  });
});
