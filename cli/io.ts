/**
 * What a command may touch of the outside world, passed in so tests can run
 * commands in-process and read what they printed.
 */
export interface CliIO {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  /**
   * Resolves when everything written to stdout has reached the reader — what
   * `run --state` waits for before committing. Absent: nothing to wait for.
   */
  flush?: () => Promise<void>;
  /** Working directory for relative paths. */
  cwd: string;
  /** True when stdout is an interactive terminal. */
  isTTY: boolean;
  /** True when stderr is an interactive terminal: progress bars are drawn there (cli/progress.ts). Absent means no. */
  stderrTTY?: boolean;
  env: Record<string, string | undefined>;
}

/**
 * Exit status when the reader of stdout or stderr went away (`playbook run … | head`):
 * 128 + SIGPIPE, what a shell reports for a Unix tool the signal ended.
 */
export const EXIT_PIPE = 141;

let pipeGuard = false;

/**
 * A closed pipe ends the process at once, quietly, with EXIT_PIPE — as a Unix
 * tool killed by SIGPIPE — instead of Node's unhandled 'error' event (an EPIPE
 * stack trace, exit 1). At once matters: `run --state` commits the state only
 * after the log is out (CliIO.flush), and a log nobody read in full must not be committed.
 * Node ignores SIGPIPE itself, so the write fails with EPIPE and this sees it.
 */
function guardPipes(): void {
  if (pipeGuard) return;
  pipeGuard = true;
  for (const stream of [process.stdout, process.stderr]) {
    stream.on("error", (e: NodeJS.ErrnoException) => {
      if (e.code === "EPIPE" || e.code === "ERR_STREAM_DESTROYED") process.exit(EXIT_PIPE);
      throw e;
    });
  }
}

/** The real process's IO. */
export function processIO(): CliIO {
  guardPipes();
  return {
    stdout: (t) => void process.stdout.write(t),
    stderr: (t) => void process.stderr.write(t),
    // A pipe's writes are buffered: the output is out (or the pipe found closed, and guardPipes
    // ends the process) only once the buffer drained.
    flush: () => (process.stdout.writableLength === 0 ? Promise.resolve() : new Promise((done) => process.stdout.once("drain", done))),
    cwd: process.cwd(),
    isTTY: Boolean(process.stdout.isTTY),
    stderrTTY: Boolean(process.stderr.isTTY),
    env: process.env,
  };
}

/** An IO that records output, for tests. */
export function memoryIO(cwd = process.cwd(), env: Record<string, string | undefined> = {}): CliIO & { out: string; err: string } {
  const io = {
    out: "",
    err: "",
    cwd,
    isTTY: false,
    env,
    stdout: (t: string) => void (io.out += t),
    stderr: (t: string) => void (io.err += t),
  };
  return io;
}

/** Thrown for bad flags or arguments; main() prints it with the command's usage and exits 2. */
export class UsageError extends Error {}

/** Exit codes shared by every command (contract.md). */
export const EXIT = { ok: 0, failed: 1, usage: 2 } as const;
