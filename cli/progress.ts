/**
 * A progress bar on stderr for the long commands (`demo`, `simulate`, `run`
 * on large data): what is being done, a bar, counts, percent and an ETA,
 * redrawn in place at most every 100 ms. Drawn only when stderr is a terminal
 * (`CliIO.stderrTTY`): in a pipe, a log file or CI it prints nothing at all, so
 * logs and the summaries after it stay as they were. The bar's line is erased
 * when the work ends, so what follows starts on a clean line.
 */
import type { CliIO } from "./io.ts";

/** A running bar. */
export interface Progress {
  /** Switches to a new stage (`reading the data`), without counts until the next update. */
  stage(label: string): void;
  /** `done` of `total` units (`what`: "customers") are finished. */
  update(done: number, total: number, what?: string): void;
  /** Erases the bar. Idempotent. */
  end(): void;
}

const WIDTH = 24;
const NONE: Progress = { stage() {}, update() {}, end() {} };

/** `0:42`, `12:05`, `1:02:03`. */
export function clock(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const ss = String(s % 60).padStart(2, "0");
  return h ? `${h}:${String(m).padStart(2, "0")}:${ss}` : `${m}:${ss}`;
}

/** One frame: `demo: simulating [#########---------------]  3,750/10,000 customers  37%  ETA 0:08`. */
export function frame(label: string, done: number, total: number, what: string, elapsedMs: number): string {
  const f = total > 0 ? Math.min(1, done / total) : 0;
  const fill = Math.round(f * WIDTH);
  const bar = "#".repeat(fill) + "-".repeat(WIDTH - fill);
  const n = (x: number) => x.toLocaleString("en-US");
  // No ETA before there is a rate worth reading: the first units carry the warm-up (a first
  // customer took seconds in the demo, which made the first estimate an hour).
  const eta = f >= 0.02 && f < 1 && elapsedMs >= 1000 ? `  ETA ${clock(((elapsedMs / done) * (total - done)) / 1000)}` : "";
  return `${label} [${bar}] ${n(done)}/${n(total)}${what ? ` ${what}` : ""}  ${Math.floor(f * 100)}%${eta}`;
}

/**
 * A bar for `command` (`playbook demo`), or one that draws nothing when
 * stderr is not a terminal. `now` is the clock (tests pass a fake one).
 */
export function progressBar(io: CliIO, command: string, now: () => number = () => performance.now()): Progress {
  if (!io.stderrTTY) return NONE;
  let label = command;
  let started = now();
  let last = -Infinity;
  let shown = false;
  const draw = (text: string) => {
    // \r and "erase to end of line": the bar overwrites itself.
    io.stderr(`\r${text}\x1b[K`);
    shown = true;
  };
  return {
    stage(l) {
      label = `${command}: ${l}`;
      started = now();
      last = -Infinity;
      draw(`${label} …`);
    },
    update(done, total, what = "") {
      const t = now();
      if (t - last < 100 && done < total) return;
      last = t;
      draw(frame(label, done, total, what, t - started));
    },
    end() {
      if (shown) io.stderr("\r\x1b[K");
      shown = false;
    },
  };
}

/**
 * A `(stage, done, total)` callback (engine/runtime/inputs.ts `Progress`)
 * drawing on `bar`: a new stage switches the label; counts of `what` follow.
 */
export function stagedProgress(bar: Progress, what: string): (stage: string, done: number, total: number) => void {
  let current = "";
  return (stage, done, total) => {
    if (stage !== current) {
      current = stage;
      bar.stage(stage);
    }
    if (total > 0) bar.update(done, total, what);
  };
}
