// Progress bars for uploads and downloads of large payloads (cli-progress),
// drawn on stderr and only when stderr is a terminal: piped or --json output
// never gets control characters.

import { MultiBar, Presets, type SingleBar } from "cli-progress";

/** Payloads smaller than this finish too fast for a bar to mean anything. */
const MIN_BYTES = 1024 * 1024;

export interface Progress {
  /** Reports `done` of `total` bytes for one payload. */
  update(direction: "upload" | "download", dataname: string, done: number, total: number | undefined): void;
  /** Finishes the bars drawn so far. */
  stop(): void;
}

const noProgress: Progress = { update() {}, stop() {} };

export function createProgress(enabled: boolean, stream: NodeJS.WriteStream = process.stderr): Progress {
  if (!enabled || !stream.isTTY) return noProgress;
  let multi: MultiBar | undefined;
  const bars = new Map<string, SingleBar>();
  return {
    update(direction, dataname, done, total) {
      const key = `${direction}:${dataname}`;
      let bar = bars.get(key);
      if (!bar) {
        if (total === undefined || total < MIN_BYTES) return;
        multi ??= new MultiBar(
          {
            stream,
            format: "{direction} {dataname} [{bar}] {percentage}% | {done}/{size} | {eta_formatted}",
            hideCursor: true,
            clearOnComplete: false,
            fps: 10,
          },
          Presets.shades_classic,
        );
        bar = multi.create(total, 0, { direction: direction === "upload" ? "↑" : "↓", dataname, done: "0 B", size: formatBytes(total) });
        bars.set(key, bar);
      }
      bar.update(done, { done: formatBytes(done) });
    },
    /** Finishes the current bars (before printing a result); later updates start new ones. */
    stop() {
      multi?.stop();
      multi = undefined;
      bars.clear();
    },
  };
}

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  const units = ["KiB", "MiB", "GiB", "TiB"];
  let v = n / 1024;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${v.toFixed(v < 10 ? 1 : 0)} ${units[i]}`;
}
