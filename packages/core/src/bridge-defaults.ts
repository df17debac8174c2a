// A bridge's default options: merged under each call's options, and their
// resolved base (URLs, codecs, logger) kept, since most calls use the
// defaults as they are.

import { SUBSCRIBER_DOWNLOAD_DEFAULTS } from "./defaults.js";
import { type BaseOptions, type ResolvedBase, resolveBase, type SmartReceiveOptions } from "./options.js";
import type { Platform } from "./platform/types.js";

export class BridgeDefaults<D extends BaseOptions> {
  readonly #defaults: D;
  readonly #platform: Platform;
  /** The defaults' resolved base, made on first use. */
  #base: ResolvedBase | undefined;

  constructor(defaults: D, platform: Platform) {
    this.#defaults = defaults;
    this.#platform = platform;
  }

  /** The defaults under one call's options (the defaults themselves when there are none). */
  options<T extends object>(options: T | undefined): D & T {
    return (options ? { ...this.#defaults, ...options } : this.#defaults) as D & T;
  }

  /** Receive options inside subscribe and consume: SUBSCRIBER_DOWNLOAD_DEFAULTS under the defaults and the call's. */
  subscriberOptions<T extends SmartReceiveOptions>(options: T): D & T {
    return { ...SUBSCRIBER_DOWNLOAD_DEFAULTS, ...this.#defaults, ...options };
  }

  /**
   * The resolved base of these options: the defaults' own, kept, whenever the
   * call leaves the fields it is made of as the defaults have them (a call
   * with `{ timeout }` or `{ msgPurpose }` does not resolve them again).
   */
  resolve(o: BaseOptions): ResolvedBase {
    const d = this.#defaults;
    if (o !== d && (o.brokerUrl !== d.brokerUrl || o.fileserverUrl !== d.fileserverUrl || o.codecs !== d.codecs || o.logger !== d.logger)) {
      return resolveBase(o, this.#platform);
    }
    this.#base ??= resolveBase(d, this.#platform);
    return this.#base;
  }
}
