// The MicroPython VM (the official WebAssembly build, @micropython/
// micropython-webassembly-pyscript) with this app's MicroPython code in it.
// The VM and the host share nothing but files in the VM's in-memory
// filesystem: the host writes a request's bytes to /peer/in, calls
// conformance_peer.handle, and reads back the messages it wrote
// (/peer/out<i>, addressed by /peer/out<i>.to). So every envelope, receipt and
// reply is built and parsed by MicroPython code; the host never parses them.

import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { loadMicroPython } from "@micropython/micropython-webassembly-pyscript";

export const MPY_DIR = fileURLToPath(new URL("../mpy/", import.meta.url));
/** A device-sized heap: the reference's boards have about 256 KB to 1 MB. */
export const DEFAULT_HEAP_BYTES = 1024 * 1024;

export interface OutgoingMessage {
  /** Subject to publish on; "" answers the request itself. */
  to: string;
  data: Uint8Array;
}

export interface MicroPythonVm {
  /** sys.version of the VM, e.g. "3.4.0; MicroPython v1.27.0 on 2025-12-10". */
  readonly version: string;
  /** Runs one request in the VM: its input bytes in, the messages it wrote out. */
  handle(kind: "hello" | "send" | "envelope", input: Uint8Array, subject?: string): OutgoingMessage[];
  /** Runs MicroPython source in the VM (tests use it); returns the value of the last expression. */
  run(code: string): unknown;
  /** What the VM printed so far (stdout and stderr lines). */
  output(): string[];
}

export interface VmOptions {
  /** fixtures/v1/cases.json text: the test vectors the peer sends. */
  casesJson: string;
  /** Passed to conformance_peer.setup: nats, prefix, fileserver_url. */
  config: Record<string, string>;
  heapBytes?: number;
}

interface RawVm {
  FS: {
    mkdirTree(path: string): void;
    writeFile(path: string, data: string | Uint8Array): void;
    readFile(path: string, options?: { encoding: "binary" | "utf8" }): Uint8Array | string;
  };
  runPython(code: string): unknown;
  pyimport(name: string): Record<string, (...args: unknown[]) => unknown>;
}

export async function startVm(options: VmOptions): Promise<MicroPythonVm> {
  const lines: string[] = [];
  const keep = (line: string) => {
    lines.push(line);
    if (lines.length > 200) lines.splice(0, lines.length - 200);
  };
  const vm = (await loadMicroPython({
    heapsize: options.heapBytes ?? DEFAULT_HEAP_BYTES,
    stdout: keep,
    stderr: (l: string) => keep(`stderr: ${l}`),
  })) as unknown as RawVm;
  vm.FS.mkdirTree("/lib");
  vm.FS.mkdirTree("/peer");
  for (const file of readdirSync(MPY_DIR).filter((f) => f.endsWith(".py"))) {
    vm.FS.writeFile(`/lib/${file}`, readFileSync(join(MPY_DIR, file), "utf8"));
  }
  vm.FS.writeFile("/peer/cases.json", options.casesJson);
  vm.runPython("import sys\nsys.path.insert(0, '/lib')\nimport conformance_peer");
  const peer = vm.pyimport("conformance_peer");
  peer.setup!(JSON.stringify(options.config));
  const version = String(peer.version!());

  return {
    version,
    handle(kind, input, subject = "") {
      vm.FS.writeFile("/peer/in", input);
      const count = Number(peer.handle!(kind, subject));
      const out: OutgoingMessage[] = [];
      for (let i = 0; i < count; i++) {
        out.push({
          to: vm.FS.readFile(`/peer/out${i}.to`, { encoding: "utf8" }) as string,
          data: vm.FS.readFile(`/peer/out${i}`, { encoding: "binary" }) as Uint8Array,
        });
      }
      return out;
    },
    run: (code) => vm.runPython(code),
    output: () => [...lines],
  };
}
