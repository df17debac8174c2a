// The package ships JavaScript only. What this app uses of it.
declare module "@micropython/micropython-webassembly-pyscript" {
  export interface LoadMicroPythonOptions {
    heapsize?: number;
    pystack?: number;
    linebuffer?: boolean;
    stdout?: (line: string) => void;
    stderr?: (line: string) => void;
  }
  export function loadMicroPython(options?: LoadMicroPythonOptions): Promise<unknown>;
}
