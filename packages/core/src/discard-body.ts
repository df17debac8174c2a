// Letting go of an HTTP response body that will not be read, on every
// runtime the Node entry runs on. undici's bodies have `dump()` (read a
// little, then close). Bun answers `import "undici"` with its own stand-in,
// whose bodies are plain Readables without `dump()`: those are destroyed.

/** The part of a response body this needs: undici's `dump()`, or a stream's `destroy()`. */
export interface DiscardableBody {
  dump?: () => Promise<unknown>;
  destroy?: () => unknown;
}

export async function discardBody(body: DiscardableBody): Promise<void> {
  if (typeof body.dump === "function") {
    await body.dump();
    return;
  }
  body.destroy?.();
}
