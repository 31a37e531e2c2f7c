/**
 * What a command may touch of the outside world, passed in so tests can run
 * commands in-process and read what they printed.
 */
export interface CliIO {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  /** Working directory for relative paths. */
  cwd: string;
  /** True when stdout is an interactive terminal. */
  isTTY: boolean;
  env: Record<string, string | undefined>;
}

/** The real process's IO. */
export function processIO(): CliIO {
  return {
    stdout: (t) => void process.stdout.write(t),
    stderr: (t) => void process.stderr.write(t),
    cwd: process.cwd(),
    isTTY: Boolean(process.stdout.isTTY),
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
