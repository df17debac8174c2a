// A module imported on first use and then held. A dynamic import() of a module
// that is already loaded still goes through the ESM loader on every call (on
// Node 24 tens of µs and several promise hops: more than a small request's
// whole envelope work), so paths that run per message import once and then
// read `value` synchronously.

export class LazyModule<T> {
  /** The module, once loaded. */
  value: T | undefined;
  #loading: Promise<T> | undefined;
  readonly #import: () => Promise<T>;

  constructor(load: () => Promise<T>) {
    this.#import = load;
  }

  /** Loads the module (once; a failed load is tried again on the next call). */
  load(): Promise<T> {
    this.#loading ??= this.#import().then(
      (module) => {
        this.value = module;
        return module;
      },
      (error: unknown) => {
        this.#loading = undefined;
        throw error;
      },
    );
    return this.#loading;
  }
}
